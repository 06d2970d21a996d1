package io.netpoll.samples.http

import java.nio.ByteBuffer
import java.time.ZoneOffset
import java.time.ZonedDateTime
import java.time.format.DateTimeFormatter

/**
 * Encodes responses into one growable buffer per connection; pipelined responses accumulate and
 * go out in one write. Every response carries `Server`, `Date` (formatted once per second, shared
 * by all connections) and `Content-Length`; `Connection: close` when the server will close.
 * hot path: no allocation per response (numbers are written digit by digit).
 */
class HttpResponseWriter(initialBytes: Int = 16 * 1024) {
    var buffer: ByteBuffer = ByteBuffer.allocate(initialBytes)
        private set

    val size: Int get() = buffer.position()

    fun clear() {
        buffer.clear()
    }

    fun interim100() = put(CONTINUE)

    /** One whole response; [body] is sent unless [headOnly] (a HEAD request). */
    fun response(
        status: Int,
        contentType: String?,
        body: ByteArray,
        bodyLength: Int = body.size,
        close: Boolean = false,
        headOnly: Boolean = false,
        extraHeader: String? = null,
    ) {
        ensure(256 + bodyLength)
        putAscii("HTTP/1.1 ")
        putInt(status)
        buffer.put(' '.code.toByte())
        putAscii(reason(status))
        put(SERVER)
        put(HttpDate.current())
        if (contentType != null) {
            putAscii("\r\nContent-Type: ")
            putAscii(contentType)
        }
        putAscii("\r\nContent-Length: ")
        putInt(bodyLength)
        if (extraHeader != null) {
            putAscii("\r\n")
            putAscii(extraHeader)
        }
        if (close) putAscii("\r\nConnection: close")
        putAscii("\r\n\r\n")
        if (!headOnly) buffer.put(body, 0, bodyLength)
    }

    private fun put(b: ByteArray) {
        ensure(b.size)
        buffer.put(b)
    }

    /** A non-negative decimal without building a String. */
    private fun putInt(v: Int) {
        ensure(10)
        var div = 1
        while (div <= v / 10) div *= 10
        var rest = v
        while (div > 0) {
            buffer.put(('0'.code + rest / div).toByte())
            rest %= div
            div /= 10
        }
    }

    private fun putAscii(s: String) {
        ensure(s.length)
        for (c in s) buffer.put(c.code.toByte())
    }

    private fun ensure(extra: Int) {
        if (buffer.remaining() >= extra) return
        var cap = buffer.capacity() * 2
        while (cap - buffer.position() < extra) cap *= 2
        val bigger = ByteBuffer.allocate(cap)
        buffer.flip()
        bigger.put(buffer)
        buffer = bigger
    }

    private companion object {
        val CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".toByteArray()
        val SERVER = "\r\nServer: netpoll-jvm".toByteArray()

        fun reason(status: Int): String = when (status) {
            200 -> "OK"
            400 -> "Bad Request"
            404 -> "Not Found"
            405 -> "Method Not Allowed"
            408 -> "Request Timeout"
            413 -> "Content Too Large"
            431 -> "Request Header Fields Too Large"
            501 -> "Not Implemented"
            503 -> "Service Unavailable"
            else -> "Status"
        }
    }
}

/** The `Date` header line, re-rendered at most once per second (IMF-fixdate, RFC 9110). */
internal object HttpDate {
    @Volatile
    private var cached = Rendered(-1, ByteArray(0))

    private class Rendered(val second: Long, val line: ByteArray)

    fun current(): ByteArray {
        val now = System.currentTimeMillis() / 1000
        val c = cached
        if (c.second == now) return c.line
        val text = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC))
        val r = Rendered(now, "\r\nDate: $text".toByteArray(Charsets.US_ASCII))
        cached = r
        return r.line
    }
}
