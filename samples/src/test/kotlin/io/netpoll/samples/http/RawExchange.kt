package io.netpoll.samples.http

import io.netpoll.samples.Tools
import java.net.SocketException
import java.net.SocketTimeoutException

/**
 * One raw HTTP exchange on a fresh connection: [send] writes the bytes as given and reads until
 * the server closes (or resets, or stays silent for the socket's read timeout), then splits what
 * came back into responses by their framing (Content-Length, chunked, or to the end).
 */
class RawExchange(val bytes: ByteArray, val end: Tools.End) {
    class Response(val status: Int, val head: String, val body: String)

    val text: String get() = String(bytes, Charsets.ISO_8859_1)

    val responses: List<Response> by lazy { split(text) }

    /** The final status codes, up to and including the first error (what a server does after an error is its own). */
    val statuses: List<Int> by lazy {
        val all = responses.map { it.status }.filter { it >= 200 }
        val firstError = all.indexOfFirst { it >= 400 }
        if (firstError < 0) all else all.subList(0, firstError + 1)
    }

    override fun toString(): String = if (end == Tools.End.TIMEOUT && statuses.isEmpty()) "silence" else statuses.joinToString(",")

    companion object {
        fun send(port: Int, raw: ByteArray, timeoutMillis: Int = 5_000): RawExchange {
            Tools.socket(port).use { s ->
                s.soTimeout = timeoutMillis
                val out = java.io.ByteArrayOutputStream()
                var end = Tools.End.EOF
                try {
                    s.getOutputStream().write(raw)
                    val buf = ByteArray(64 * 1024)
                    while (true) {
                        val n = s.getInputStream().read(buf)
                        if (n < 0) break
                        out.write(buf, 0, n)
                    }
                } catch (e: SocketTimeoutException) {
                    end = Tools.End.TIMEOUT
                } catch (e: SocketException) {
                    end = Tools.End.RESET
                }
                return RawExchange(out.toByteArray(), end)
            }
        }

        private fun split(s: String): List<Response> {
            val out = ArrayList<Response>()
            var p = 0
            while (s.startsWith("HTTP/1.", p) && p + 12 <= s.length) {
                val status = s.substring(p + 9, p + 12).toIntOrNull() ?: break
                val headEnd = s.indexOf("\r\n\r\n", p)
                if (headEnd < 0) {
                    out += Response(status, s.substring(p), "")
                    break
                }
                val head = s.substring(p, headEnd)
                p = headEnd + 4
                val length = Regex("(?im)^content-length:\\s*(\\d+)\\s*$").find(head)?.groupValues?.get(1)?.toInt()
                val bodyEnd = when {
                    status < 200 || status == 204 || status == 304 -> p
                    length != null -> minOf(s.length, p + length)
                    Regex("(?im)^transfer-encoding:\\s*chunked\\s*$").containsMatchIn(head) -> chunkedEnd(s, p)
                    else -> s.length
                }
                out += Response(status, head, s.substring(p, bodyEnd))
                p = bodyEnd
            }
            return out
        }

        private fun chunkedEnd(s: String, from: Int): Int {
            var p = from
            while (true) {
                val lineEnd = s.indexOf("\r\n", p)
                if (lineEnd < 0) return s.length
                val size = s.substring(p, lineEnd).substringBefore(';').trim().toInt(16)
                p = lineEnd + 2
                if (size == 0) return (s.indexOf("\r\n\r\n", p - 2).takeIf { it >= 0 }?.plus(4)) ?: s.length
                p = minOf(s.length, p + size + 2)
            }
        }
    }
}
