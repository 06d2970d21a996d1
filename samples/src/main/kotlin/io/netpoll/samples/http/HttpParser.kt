package io.netpoll.samples.http

import java.nio.ByteBuffer
import java.nio.ByteOrder

/**
 * Incremental HTTP/1.1 request parser (RFC 9112) that reads requests as nginx and Go's net/http do
 * and holds no more memory than a request has actually sent.
 *
 * [parse] takes bytes from the front of a buffer in read mode and returns [COMPLETE] once a whole
 * request has been taken ([request] then holds it) or [INCOMPLETE] when it needs more. It consumes
 * what it has used — each head line as soon as it ends, body bytes as they arrive (copied into
 * [request]) — so the bytes it leaves are at most one unfinished line; the caller presents them
 * again, followed by what arrives next. The scan of that line resumes where it stopped, so the
 * work is linear in the input however it is split, and a declared Content-Length or chunk size
 * reserves nothing: the body grows with the bytes received.
 *
 * Framing (the decisions compared with nginx and Go in HttpConformanceSpec):
 * - A line ends at LF; one CR before the LF is dropped. Any other CR in a line is an error, as is
 *   NUL or another control byte (HTAB aside) in a field value or chunk extension, so a bare LF can
 *   never hide a field inside another field's value.
 * - Empty lines before the request line are skipped (they count against the head limit).
 * - Request line: `METHOD SP target SP HTTP/d.d` with single spaces; the method in upper case
 *   (with `-` and `_`); the target in origin form, `*`, or absolute form (any scheme, no userinfo,
 *   routed by its path); major version 1 (another is 505), minor 0 or higher.
 * - Fields: `token ":" OWS value OWS`; no folding. HTTP/1.1 needs exactly one valid `Host`.
 *   `Content-Length` is one field of at most 18 digits; `Transfer-Encoding` is one field saying
 *   exactly `chunked` (anything else is 501) on HTTP/1.1, never with `Content-Length`.
 * - Chunked: a size of at most 16 hex digits, optional whitespace and extensions, then a line end;
 *   the data is followed by exactly CRLF; trailers are field lines, skipped.
 *
 * Refusals, as [HttpError] (the only exception [parse] throws): a request line (with any empty
 * lines before it) longer than [maxHeaderBytes] → 414; a head or trailer section longer → 431; a
 * declared or accumulated body over [maxBodyBytes] → 413 (known as soon as the length is); an
 * unsupported transfer coding → 501; another major version → 505; anything else malformed → 400.
 * The same bytes get the same outcome however they are split. After [INCOMPLETE],
 * [expectsContinue] says the head is complete and carried `Expect: 100-continue`, so the server
 * should send `100 Continue`.
 */
class HttpParser(val maxHeaderBytes: Int = 8 * 1024, val maxBodyBytes: Int = 1024 * 1024) {
    val request = HttpRequest()
    var expectsContinue = false
        private set

    /** True while a request has begun (any byte of it taken or waiting): the request deadline applies. */
    val inRequest: Boolean get() = phase != REQUEST_LINE || sectionBytes > 0 || scanned > 0

    private var phase = REQUEST_LINE

    // Bytes of the unfinished line at the buffer's position already searched for its LF.
    private var scanned = 0

    // Bytes of the head (or of the trailer section) taken so far, for the 414/431 limits.
    private var sectionBytes = 0

    // Body bytes still to take: of the Content-Length body, or of the current chunk.
    private var remaining = 0L

    private var contentLength = -1L
    private var hosts = 0
    private var expect100 = false
    private var lastPath = "/"
    private var lastContentType: String? = null

    fun parse(buf: ByteBuffer): Int {
        expectsContinue = false
        while (true) {
            when (phase) {
                BODY, CHUNK_DATA -> {
                    val n = minOf(remaining, buf.remaining().toLong()).toInt()
                    request.appendBody(buf, buf.position(), n)
                    buf.position(buf.position() + n)
                    remaining -= n
                    if (remaining > 0) return waitForBody()
                    if (phase == BODY) return finish()
                    phase = CHUNK_END
                }
                CHUNK_END -> {
                    val p = buf.position()
                    if (buf.limit() - p < 2) {
                        if (buf.limit() > p && buf.get(p) != CR) throw HttpError(400, "malformed chunk")
                        return waitForBody()
                    }
                    if (buf.get(p) != CR || buf.get(p + 1) != LF) throw HttpError(400, "malformed chunk")
                    buf.position(p + 2)
                    phase = CHUNK_SIZE
                }
                else -> {
                    val start = buf.position()
                    val lf = indexOfLf(buf, start + scanned, buf.limit())
                    if (lf < 0) {
                        scanned = buf.limit() - start
                        checkLineLength(scanned)
                        return if (phase == CHUNK_SIZE || phase == TRAILER) waitForBody() else INCOMPLETE
                    }
                    scanned = 0
                    checkLineLength(lf + 1 - start)
                    val end = if (lf > start && buf.get(lf - 1) == CR) lf - 1 else lf
                    val done = line(buf, start, end)
                    sectionBytes += lf + 1 - start
                    buf.position(lf + 1)
                    if (done) return finish()
                }
            }
        }
    }

    /** Handles one line [start, end) (its line end excluded); true when it completes the request. */
    private fun line(buf: ByteBuffer, start: Int, end: Int): Boolean {
        when (phase) {
            REQUEST_LINE -> if (end > start) {
                requestLine(buf, start, end)
                phase = HEADER
            }
            HEADER -> if (end > start) header(buf, start, end) else return endOfHead()
            CHUNK_SIZE -> chunkSize(buf, start, end)
            TRAILER -> if (end > start) fieldColon(buf, start, end) else return true
        }
        return false
    }

    private fun checkLineLength(pending: Int) {
        when (phase) {
            // Empty lines before it count too: what does not fit is the request line, whenever it is noticed.
            REQUEST_LINE -> if (sectionBytes + pending > maxHeaderBytes) throw HttpError(414, "request target too long")
            HEADER -> if (sectionBytes + pending > maxHeaderBytes) throw HttpError(431, "request header fields too large")
            TRAILER -> if (sectionBytes + pending > maxHeaderBytes) throw HttpError(431, "trailer fields too large")
            CHUNK_SIZE -> if (pending > MAX_CHUNK_LINE) throw HttpError(400, "malformed chunk size")
        }
    }

    private fun waitForBody(): Int {
        expectsContinue = expect100
        return INCOMPLETE
    }

    private fun finish(): Int {
        phase = REQUEST_LINE
        sectionBytes = 0
        return COMPLETE
    }

    /**
     * `METHOD SP request-target SP HTTP-version`, read in place. Known methods and the connection's
     * previous path are reused, so a keep-alive client repeating a request costs no allocation
     * here. hot path.
     */
    private fun requestLine(buf: ByteBuffer, start: Int, end: Int) {
        request.reset()
        contentLength = -1
        hosts = 0
        expect100 = false
        var k = start
        while (k < end && isMethodByte(buf.get(k))) k++
        if (k == start || k == end || buf.get(k) != SP) throw HttpError(400, "malformed request line")
        val sp1 = k
        k++
        while (k < end && buf.get(k) != SP) {
            val c = buf.get(k).toInt() and 0xff
            if (c <= 0x20 || c == 0x7f) throw HttpError(400, "malformed request target")
            k++
        }
        if (k == sp1 + 1 || k == end) throw HttpError(400, "malformed request line")
        version(buf, k + 1, end)
        target(buf, sp1 + 1, k)
        request.method = knownMethod(buf, start, sp1) ?: ascii(buf, start, sp1)
        request.keepAlive = request.http11
    }

    /** `HTTP/` DIGIT `.` DIGIT: major 1 only (another is 505); minor 0 is HTTP/1.0, any other 1.1. */
    private fun version(buf: ByteBuffer, from: Int, to: Int) {
        if (to - from != 8 || !bytesAre(buf, from, from + 5, "HTTP/") || buf.get(from + 6) != '.'.code.toByte()) {
            throw HttpError(400, "malformed HTTP version")
        }
        val major = buf.get(from + 5) - '0'.code.toByte()
        val minor = buf.get(from + 7) - '0'.code.toByte()
        if (major !in 0..9 || minor !in 0..9) throw HttpError(400, "malformed HTTP version")
        if (major != 1) throw HttpError(505, "HTTP version not supported")
        request.http11 = minor > 0
    }

    /** Origin form, `*`, or absolute form (`scheme://authority[path][?query]`, routed by its path). */
    private fun target(buf: ByteBuffer, from: Int, to: Int) {
        var pathStart = from
        val first = buf.get(from)
        if (first == STAR && to - from == 1) {
            request.path = "*"
            return
        }
        if (first != SLASH) {
            var k = from
            while (k < to && isSchemeByte(buf.get(k), k == from)) k++
            if (k == from || to - k < 3 || buf.get(k) != ':'.code.toByte() || buf.get(k + 1) != SLASH || buf.get(k + 2) != SLASH) {
                throw HttpError(400, "malformed request target")
            }
            k += 3
            val authority = k
            while (k < to && buf.get(k) != SLASH && buf.get(k) != QUESTION) {
                if (buf.get(k) == '@'.code.toByte()) throw HttpError(400, "userinfo in request target")
                k++
            }
            if (k == authority) throw HttpError(400, "malformed request target")
            pathStart = k
        }
        var pathEnd = pathStart
        while (pathEnd < to && buf.get(pathEnd) != QUESTION) pathEnd++
        if (pathStart == pathEnd) {
            request.path = "/"
            return
        }
        if (!bytesAre(buf, pathStart, pathEnd, lastPath)) lastPath = ascii(buf, pathStart, pathEnd)
        request.path = lastPath
    }

    private fun header(buf: ByteBuffer, from: Int, to: Int) {
        val colon = fieldColon(buf, from, to)
        var vs = colon + 1
        while (vs < to && isOws(buf.get(vs))) vs++
        var ve = to
        while (ve > vs && isOws(buf.get(ve - 1))) ve--
        val name = colon - from
        when {
            nameIs(buf, from, name, "host") -> {
                if (++hosts > 1) throw HttpError(400, "more than one Host")
                if (vs == ve) throw HttpError(400, "empty Host")
                for (k in vs until ve) if (!isHostByte(buf.get(k))) throw HttpError(400, "malformed Host")
            }
            nameIs(buf, from, name, "content-length") -> {
                if (contentLength >= 0) throw HttpError(400, "more than one Content-Length")
                if (vs == ve || ve - vs > 18) throw HttpError(400, "malformed Content-Length")
                var n = 0L
                for (k in vs until ve) {
                    val d = buf.get(k) - '0'.code.toByte()
                    if (d !in 0..9) throw HttpError(400, "malformed Content-Length")
                    n = n * 10 + d
                }
                contentLength = n
            }
            nameIs(buf, from, name, "transfer-encoding") -> {
                if (request.chunked || !nameIs(buf, vs, ve - vs, "chunked")) {
                    throw HttpError(501, "unsupported transfer coding '${ascii(buf, vs, ve)}'")
                }
                request.chunked = true
            }
            nameIs(buf, from, name, "connection") -> connection(buf, vs, ve)
            nameIs(buf, from, name, "content-type") -> {
                val last = lastContentType
                if (last == null || !bytesAre(buf, vs, ve, last)) lastContentType = ascii(buf, vs, ve)
                request.contentType = lastContentType
            }
            nameIs(buf, from, name, "expect") -> expect100 = nameIs(buf, vs, ve - vs, "100-continue")
        }
    }

    /**
     * Checks a field line `token ":" value` and returns the colon's index. A line starting with
     * whitespace (obs-fold), whitespace before the colon, an empty or non-token name, or a
     * control byte in the value (a CR or NUL among them) is 400.
     */
    private fun fieldColon(buf: ByteBuffer, from: Int, to: Int): Int {
        var k = from
        while (k < to && isTchar(buf.get(k))) k++
        if (k == from || k == to || buf.get(k) != ':'.code.toByte()) throw HttpError(400, "malformed header field")
        for (v in k + 1 until to) {
            if (!isFieldByte(buf.get(v))) throw HttpError(400, "invalid byte in header field value")
        }
        return k
    }

    /** `Connection`'s comma-separated options; `close` and `keep-alive` decide [HttpRequest.keepAlive]. */
    private fun connection(buf: ByteBuffer, from: Int, to: Int) {
        var s = from
        while (s < to) {
            var e = s
            while (e < to && buf.get(e) != ','.code.toByte()) e++
            var a = s
            var b = e
            while (a < b && isOws(buf.get(a))) a++
            while (b > a && isOws(buf.get(b - 1))) b--
            if (nameIs(buf, a, b - a, "close")) request.keepAlive = false
            if (nameIs(buf, a, b - a, "keep-alive")) request.keepAlive = true
            s = e + 1
        }
    }

    /** The blank line: checks what the whole head decides and picks the body's framing; true if there is none. */
    private fun endOfHead(): Boolean {
        if (hosts == 0 && request.http11) throw HttpError(400, "missing Host")
        if (request.chunked) {
            if (contentLength >= 0) throw HttpError(400, "both Content-Length and Transfer-Encoding")
            if (!request.http11) throw HttpError(400, "Transfer-Encoding in an HTTP/1.0 request")
            phase = CHUNK_SIZE
            return false
        }
        if (contentLength <= 0) return true
        if (contentLength > maxBodyBytes) throw HttpError(413, "content too large")
        remaining = contentLength
        phase = BODY
        return false
    }

    /** `1*16HEXDIG [BWS] [";" extensions]`: the next chunk's size, or the trailers after the last one. */
    private fun chunkSize(buf: ByteBuffer, from: Int, to: Int) {
        var size = 0L
        var k = from
        while (k < to) {
            val d = Character.digit(buf.get(k).toInt(), 16)
            if (d < 0) break
            if (k - from == 16) throw HttpError(400, "chunk size too long")
            size = (size shl 4) or d.toLong()
            k++
        }
        if (k == from || size < 0) throw HttpError(400, "malformed chunk size")
        while (k < to && isOws(buf.get(k))) k++
        if (k < to && buf.get(k) != ';'.code.toByte()) throw HttpError(400, "malformed chunk size")
        for (v in k until to) if (!isFieldByte(buf.get(v))) throw HttpError(400, "malformed chunk extension")
        if (size == 0L) {
            phase = TRAILER
            sectionBytes = 0
            return
        }
        if (size > maxBodyBytes - request.bodyLength) throw HttpError(413, "content too large")
        remaining = size
        phase = CHUNK_DATA
    }

    companion object {
        const val COMPLETE = 1
        const val INCOMPLETE = 0

        // Phases: what the bytes at the buffer's position are.
        private const val REQUEST_LINE = 0 // the request line, or empty lines before it
        private const val HEADER = 1
        private const val BODY = 2 // Content-Length bytes
        private const val CHUNK_SIZE = 3
        private const val CHUNK_DATA = 4
        private const val CHUNK_END = 5 // the CRLF after a chunk's data
        private const val TRAILER = 6

        private const val MAX_CHUNK_LINE = 4096
        private const val CR = '\r'.code.toByte()
        private const val LF = '\n'.code.toByte()
        private const val SP = ' '.code.toByte()
        private const val HTAB = '\t'.code.toByte()
        private const val SLASH = '/'.code.toByte()
        private const val STAR = '*'.code.toByte()
        private const val QUESTION = '?'.code.toByte()
        private val METHODS = arrayOf("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH")

        // RFC 9110 tchar; Go's validHostByte.
        private val TCHAR = byteClass("!#$%&'*+-.^_`|~")
        private val HOST = byteClass("!$%&'()*+,-.:;=@[]_~")

        private fun byteClass(punctuation: String): BooleanArray {
            val set = BooleanArray(128)
            for (c in '0'..'9') set[c.code] = true
            for (c in 'a'..'z') set[c.code] = true
            for (c in 'A'..'Z') set[c.code] = true
            for (c in punctuation) set[c.code] = true
            return set
        }

        private fun isTchar(b: Byte) = b >= 0 && TCHAR[b.toInt()]

        private fun isHostByte(b: Byte) = b >= 0 && HOST[b.toInt()]

        private fun isOws(b: Byte) = b == SP || b == HTAB

        /** field-vchar, SP, HTAB or obs-text: everything but the other control bytes and DEL. */
        private fun isFieldByte(b: Byte) = b == HTAB || b < 0 || (b >= SP && b != 0x7f.toByte())

        private fun isMethodByte(b: Byte) = b in 'A'.code.toByte()..'Z'.code.toByte() || b == '-'.code.toByte() || b == '_'.code.toByte()

        private fun isSchemeByte(b: Byte, first: Boolean): Boolean {
            val c = b.toInt().toChar()
            return c in 'a'..'z' || c in 'A'..'Z' || (!first && (c in '0'..'9' || c == '+' || c == '-' || c == '.'))
        }

        private const val LFS = 0x0a0a0a0a0a0a0a0aL
        private const val LOW7 = 0x7f7f7f7f7f7f7f7fL

        /**
         * The first LF in [from, limit), or -1. hot path: eight bytes per step. A word XOR eight
         * LFs has a zero byte where an LF was; `~(((x & 0x7f..) + 0x7f..) | x | 0x7f..)` sets the
         * top bit of exactly those bytes (no carry crosses a byte, unlike the shorter
         * `(x - 0x01..) & ~x` trick, whose false positives could precede the real match in
         * big-endian order), and the first one in memory order is the leading (big-endian) or
         * trailing (little-endian) set bit.
         */
        private fun indexOfLf(buf: ByteBuffer, from: Int, limit: Int): Int {
            var k = from
            if (limit - k >= 8) {
                val bigEndian = buf.order() == ByteOrder.BIG_ENDIAN
                while (k <= limit - 8) {
                    val x = buf.getLong(k) xor LFS
                    val zeros = (((x and LOW7) + LOW7) or x or LOW7).inv()
                    if (zeros != 0L) {
                        val bit = if (bigEndian) java.lang.Long.numberOfLeadingZeros(zeros) else java.lang.Long.numberOfTrailingZeros(zeros)
                        return k + bit / 8
                    }
                    k += 8
                }
            }
            while (k < limit) {
                if (buf.get(k) == LF) return k
                k++
            }
            return -1
        }

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

        /** Bytes [from, from + len) are [lower] in any case. */
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
