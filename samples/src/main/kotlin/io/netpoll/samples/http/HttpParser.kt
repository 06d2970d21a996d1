package io.netpoll.samples.http

import java.nio.ByteBuffer

/**
 * Incremental HTTP/1.1 request parser (RFC 9112) with the limits a public server needs.
 *
 * [parse] looks at the readable bytes of a buffer in read mode. If they hold a whole request
 * (head plus a `Content-Length` or chunked body) it fills [request], advances the buffer past the
 * request and returns [COMPLETE]; otherwise it leaves the buffer as it was and returns
 * [INCOMPLETE] (re-parsing from the request start later is cheap: only header and chunk-size
 * lines are scanned, chunk data is skipped by length).
 *
 * Refusals, as [HttpError]: a head over [maxHeaderBytes] → 431; a declared or accumulated body
 * over [maxBodyBytes] → 413 (known as soon as the length is, before the body arrives); anything
 * malformed, or `Content-Length` together with `Transfer-Encoding` (request smuggling) → 400; a
 * transfer coding other than chunked → 501. After [INCOMPLETE], [expectsContinue] says the head
 * is complete and carried `Expect: 100-continue`, so the server should send `100 Continue`.
 */
class HttpParser(val maxHeaderBytes: Int = 8 * 1024, val maxBodyBytes: Int = 1024 * 1024) {
    val request = HttpRequest()
    var expectsContinue = false
        private set

    private var contentLength = -1L
    private var expect100 = false
    private var lastPath = "/"

    fun parse(buf: ByteBuffer): Int {
        expectsContinue = false
        val start = buf.position()
        val limit = buf.limit()
        val headEnd = findHeadEnd(buf, start, limit)
        if (headEnd < 0) {
            if (limit - start > maxHeaderBytes) throw HttpError(431, "request header fields too large")
            return INCOMPLETE
        }
        if (headEnd + 4 - start > maxHeaderBytes) throw HttpError(431, "request header fields too large")
        request.reset()
        contentLength = -1
        expect100 = false
        parseHead(buf, start, headEnd)
        val bodyStart = headEnd + 4
        val end = when {
            request.chunked -> parseChunked(buf, bodyStart, limit)
            contentLength > 0 -> {
                if (contentLength > maxBodyBytes) throw HttpError(413, "content too large")
                if (limit - bodyStart < contentLength) -1 else {
                    request.appendBody(buf, bodyStart, contentLength.toInt())
                    bodyStart + contentLength.toInt()
                }
            }
            else -> bodyStart
        }
        if (end < 0) {
            expectsContinue = expect100
            return INCOMPLETE
        }
        buf.position(end)
        return COMPLETE
    }

    private fun parseHead(buf: ByteBuffer, start: Int, headEnd: Int) {
        var lineEnd = findCrlf(buf, start, headEnd + 2)
        parseRequestLine(buf, start, lineEnd)
        var p = lineEnd + 2
        while (p < headEnd + 2) {
            lineEnd = findCrlf(buf, p, headEnd + 2)
            parseHeader(buf, p, lineEnd)
            p = lineEnd + 2
        }
        if (request.chunked && contentLength >= 0) {
            throw HttpError(400, "both Content-Length and Transfer-Encoding")
        }
    }

    /**
     * `METHOD SP request-target SP HTTP-version`, read from the buffer without building the line.
     * Known methods and the connection's previous path are reused, so a keep-alive client
     * repeating a request costs no allocation here. hot path.
     */
    private fun parseRequestLine(buf: ByteBuffer, start: Int, end: Int) {
        var sp1 = -1
        var sp2 = -1
        for (k in start until end) {
            if (buf.get(k) == SP) {
                if (sp1 < 0) sp1 = k else if (sp2 < 0) sp2 = k else throw HttpError(400, "malformed request line")
            }
        }
        if (sp1 <= start || sp2 < 0) throw HttpError(400, "malformed request line")
        for (k in start until sp1) {
            if (buf.get(k) !in 'A'.code.toByte()..'Z'.code.toByte()) throw HttpError(400, "malformed method")
        }
        val t = sp1 + 1
        if (t == sp2 || (buf.get(t) != '/'.code.toByte() && !(sp2 - t == 1 && buf.get(t) == '*'.code.toByte()))) {
            throw HttpError(400, "malformed request target")
        }
        request.http11 = when {
            bytesAre(buf, sp2 + 1, end, "HTTP/1.1") -> true
            bytesAre(buf, sp2 + 1, end, "HTTP/1.0") -> false
            else -> throw HttpError(400, "unsupported HTTP version")
        }
        request.method = knownMethod(buf, start, sp1) ?: ascii(buf, start, sp1)
        var pathEnd = t
        while (pathEnd < sp2 && buf.get(pathEnd) != '?'.code.toByte()) pathEnd++
        if (!bytesAre(buf, t, pathEnd, lastPath)) lastPath = ascii(buf, t, pathEnd)
        request.path = lastPath
        request.keepAlive = request.http11
    }

    private fun parseHeader(buf: ByteBuffer, from: Int, to: Int) {
        var colon = -1
        for (k in from until to) {
            val c = buf.get(k)
            if (c == ':'.code.toByte()) {
                colon = k
                break
            }
            if (c <= ' '.code.toByte()) throw HttpError(400, "malformed header field")
        }
        if (colon <= from) throw HttpError(400, "malformed header field")
        val name = colon - from
        when {
            nameIs(buf, from, name, "content-length") -> {
                val v = ascii(buf, colon + 1, to).trim()
                val n = if (v.isNotEmpty() && v.length <= 18 && v.all { it in '0'..'9' }) v.toLong() else -1
                if (n < 0 || (contentLength >= 0 && contentLength != n)) throw HttpError(400, "bad Content-Length")
                contentLength = n
            }
            nameIs(buf, from, name, "transfer-encoding") -> {
                val v = ascii(buf, colon + 1, to).trim().lowercase()
                if (v != "chunked") throw HttpError(501, "unsupported transfer coding '$v'")
                request.chunked = true
            }
            nameIs(buf, from, name, "connection") -> {
                val v = ascii(buf, colon + 1, to).lowercase()
                if (v.contains("close")) request.keepAlive = false
                if (v.contains("keep-alive")) request.keepAlive = true
            }
            nameIs(buf, from, name, "content-type") -> request.contentType = ascii(buf, colon + 1, to).trim()
            nameIs(buf, from, name, "expect") -> expect100 = ascii(buf, colon + 1, to).trim().equals("100-continue", true)
        }
    }

    /** Returns the end of the body, or -1 if more bytes are needed. */
    private fun parseChunked(buf: ByteBuffer, from: Int, limit: Int): Int {
        var p = from
        while (true) {
            val lineEnd = findCrlf(buf, p, limit)
            if (lineEnd < 0) {
                if (limit - p > MAX_CHUNK_LINE) throw HttpError(400, "malformed chunk size")
                return -1
            }
            val size = parseChunkSize(buf, p, lineEnd)
            p = lineEnd + 2
            if (size == 0L) return skipTrailers(buf, p, limit)
            if (request.bodyLength + size > maxBodyBytes) throw HttpError(413, "content too large")
            if (limit - p < size + 2) return -1
            request.appendBody(buf, p, size.toInt())
            p += size.toInt()
            if (buf.get(p) != CR || buf.get(p + 1) != LF) throw HttpError(400, "malformed chunk")
            p += 2
        }
    }

    private fun parseChunkSize(buf: ByteBuffer, from: Int, to: Int): Long {
        var v = 0L
        var k = from
        while (k < to) {
            val c = buf.get(k).toInt().toChar()
            val d = Character.digit(c, 16)
            if (d < 0) break
            v = v * 16 + d
            if (v > Int.MAX_VALUE) throw HttpError(413, "content too large")
            k++
        }
        if (k == from || (k < to && buf.get(k) != ';'.code.toByte())) throw HttpError(400, "malformed chunk size")
        return v
    }

    private fun skipTrailers(buf: ByteBuffer, from: Int, limit: Int): Int {
        var p = from
        while (true) {
            val lineEnd = findCrlf(buf, p, limit)
            if (lineEnd < 0) {
                if (limit - from > maxHeaderBytes) throw HttpError(431, "trailer fields too large")
                return -1
            }
            if (lineEnd == p) return p + 2
            p = lineEnd + 2
        }
    }

    companion object {
        const val COMPLETE = 1
        const val INCOMPLETE = 0
        private const val MAX_CHUNK_LINE = 1024
        private const val CR = '\r'.code.toByte()
        private const val LF = '\n'.code.toByte()

        private fun findHeadEnd(buf: ByteBuffer, from: Int, limit: Int): Int {
            var k = from
            while (k + 3 < limit) {
                if (buf.get(k) == CR && buf.get(k + 1) == LF && buf.get(k + 2) == CR && buf.get(k + 3) == LF) return k
                k++
            }
            return -1
        }

        private fun findCrlf(buf: ByteBuffer, from: Int, limit: Int): Int {
            var k = from
            while (k + 1 < limit) {
                if (buf.get(k) == CR && buf.get(k + 1) == LF) return k
                k++
            }
            return -1
        }

        private const val SP = ' '.code.toByte()
        private val METHODS = arrayOf("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH")

        private fun knownMethod(buf: ByteBuffer, from: Int, to: Int): String? {
            for (m in METHODS) if (bytesAre(buf, from, to, m)) return m
            return null
        }

        /** Bytes [from, to) are exactly the ASCII string [s]. */
        private fun bytesAre(buf: ByteBuffer, from: Int, to: Int, s: String): Boolean {
            if (to - from != s.length) return false
            for (i in s.indices) if (buf.get(from + i).toInt() != s[i].code) return false
            return true
        }

        private fun nameIs(buf: ByteBuffer, from: Int, len: Int, lower: String): Boolean {
            if (len != lower.length) return false
            for (i in 0 until len) {
                var c = buf.get(from + i).toInt()
                if (c in 'A'.code..'Z'.code) c += 32
                if (c != lower[i].code) return false
            }
            return true
        }

        private fun ascii(buf: ByteBuffer, from: Int, to: Int): String {
            val b = ByteArray(to - from)
            buf.get(from, b)
            return String(b, Charsets.ISO_8859_1)
        }
    }
}
