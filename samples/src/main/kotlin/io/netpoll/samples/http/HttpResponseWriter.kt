package io.netpoll.samples.http

import java.nio.ByteBuffer

/**
 * Encodes responses into one growable buffer per connection; pipelined responses accumulate and
 * go out in one write. Every response carries `Server`, `Date` (formatted once per second, shared
 * by all connections) and `Content-Length`; `Connection: close` when the server will close.
 * It starts small (an idle connection holds 1 KiB) and keeps what it grows to for larger
 * responses.
 *
 * hot path: no allocation per response, and no per-byte buffer calls: a response is written into
 * the heap buffer's array at a local index (after one [ensure] for its whole size) and the
 * buffer's position is set once at the end; the status line is pre-encoded per status, and
 * numbers are written right to left with divisions by the constant 10, which compile to
 * multiplications.
 */
class HttpResponseWriter(initialBytes: Int = 1024) {
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
        val line = statusLine(status)
        val date = HttpDate.current()
        val head = line.size + SERVER.size + date.size + CONTENT_TYPE.size + (contentType?.length ?: 0) +
            CONTENT_LENGTH.size + MAX_INT_DIGITS + 2 + (extraHeader?.length ?: 0) + CONNECTION_CLOSE.size + 4
        ensure(head + if (headOnly) 0 else bodyLength)
        val a = buffer.array()
        var p = buffer.arrayOffset() + buffer.position()
        p = copy(line, a, p)
        p = copy(SERVER, a, p)
        p = copy(date, a, p)
        if (contentType != null) {
            p = copy(CONTENT_TYPE, a, p)
            p = ascii(contentType, a, p)
        }
        p = copy(CONTENT_LENGTH, a, p)
        p = decimal(bodyLength, a, p)
        if (extraHeader != null) {
            a[p++] = CR
            a[p++] = LF
            p = ascii(extraHeader, a, p)
        }
        if (close) p = copy(CONNECTION_CLOSE, a, p)
        a[p++] = CR
        a[p++] = LF
        a[p++] = CR
        a[p++] = LF
        if (!headOnly) {
            System.arraycopy(body, 0, a, p, bodyLength)
            p += bodyLength
        }
        buffer.position(p - buffer.arrayOffset())
    }

    private fun put(b: ByteArray) {
        ensure(b.size)
        buffer.put(b)
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

    internal companion object {
        private const val CR = '\r'.code.toByte()
        private const val LF = '\n'.code.toByte()
        private const val MAX_INT_DIGITS = 10
        private val CONTINUE = bytes("HTTP/1.1 100 Continue\r\n\r\n")
        private val SERVER = bytes("\r\nServer: netpoll-jvm")
        private val CONTENT_TYPE = bytes("\r\nContent-Type: ")
        private val CONTENT_LENGTH = bytes("\r\nContent-Length: ")
        private val CONNECTION_CLOSE = bytes("\r\nConnection: close")

        /** `HTTP/1.1 <status> <reason>` for every status from 100 to 599, encoded once. */
        private val STATUS_LINES = Array(500) { i -> bytes("HTTP/1.1 ${i + 100} ${reason(i + 100)}") }

        private fun statusLine(status: Int): ByteArray =
            if (status in 100..599) STATUS_LINES[status - 100] else bytes("HTTP/1.1 $status ${reason(status)}")

        private fun bytes(s: String) = s.toByteArray(Charsets.ISO_8859_1)

        private fun copy(src: ByteArray, dst: ByteArray, at: Int): Int {
            System.arraycopy(src, 0, dst, at, src.size)
            return at + src.size
        }

        private fun ascii(s: String, dst: ByteArray, at: Int): Int {
            for (i in s.indices) dst[at + i] = s[i].code.toByte()
            return at + s.length
        }

        /** [v] (not negative) in decimal at [at]; returns the index after its last digit. */
        internal fun decimal(v: Int, dst: ByteArray, at: Int): Int {
            var digits = 1
            var bound = 10
            while (digits < MAX_INT_DIGITS && v >= bound) {
                digits++
                bound *= 10
            }
            var rest = v
            var k = at + digits
            while (k > at) {
                dst[--k] = ('0'.code + rest % 10).toByte()
                rest /= 10
            }
            return at + digits
        }

        private fun reason(status: Int): String = when (status) {
            100 -> "Continue"
            200 -> "OK"
            400 -> "Bad Request"
            404 -> "Not Found"
            405 -> "Method Not Allowed"
            408 -> "Request Timeout"
            413 -> "Content Too Large"
            414 -> "URI Too Long"
            431 -> "Request Header Fields Too Large"
            501 -> "Not Implemented"
            505 -> "HTTP Version Not Supported"
            503 -> "Service Unavailable"
            else -> "Status"
        }
    }
}

/**
 * The `Date` header line in IMF-fixdate (RFC 9110 §5.6.7: `Thu, 03 Dec 2026 08:00:00 GMT`, a
 * two-digit day), rendered at most once per second and shared by all connections.
 */
internal object HttpDate {
    @Volatile
    private var cached = Rendered(-1, ByteArray(0))

    private class Rendered(val second: Long, val line: ByteArray)

    private const val PREFIX = "\r\nDate: "
    private const val DAYS = "ThuFriSatSunMonTueWed" // 1970-01-01 was a Thursday
    private const val MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec"

    fun current(): ByteArray {
        val now = Math.floorDiv(System.currentTimeMillis(), 1000L)
        val c = cached
        if (c.second == now) return c.line
        val line = ByteArray(PREFIX.length + 29)
        for (i in PREFIX.indices) line[i] = PREFIX[i].code.toByte()
        format(now, line, PREFIX.length)
        cached = Rendered(now, line)
        return line
    }

    /** Writes the 29 bytes of [epochSecond] as an IMF-fixdate into [out] at [at]. */
    fun format(epochSecond: Long, out: ByteArray, at: Int) {
        val days = Math.floorDiv(epochSecond, 86_400L)
        val secs = Math.floorMod(epochSecond, 86_400L).toInt()
        // The proleptic Gregorian date of a day count, by 400-year eras of 146,097 days that start
        // on March 1st (so the leap day ends a year).
        val z = days + 719_468
        val era = Math.floorDiv(z, 146_097L)
        val doe = (z - era * 146_097).toInt()
        val yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        val doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        val mp = (5 * doy + 2) / 153
        val day = doy - (153 * mp + 2) / 5 + 1
        val month = if (mp < 10) mp + 3 else mp - 9
        val year = yoe + era * 400 + if (month <= 2) 1 else 0
        var p = at
        val dow = Math.floorMod(days, 7L).toInt() * 3
        for (i in 0 until 3) out[p++] = DAYS[dow + i].code.toByte()
        out[p++] = ','.code.toByte()
        out[p++] = ' '.code.toByte()
        p = digits(out, p, day.toLong(), 2)
        out[p++] = ' '.code.toByte()
        for (i in 0 until 3) out[p++] = MONTHS[(month - 1) * 3 + i].code.toByte()
        out[p++] = ' '.code.toByte()
        p = digits(out, p, year, 4)
        out[p++] = ' '.code.toByte()
        p = digits(out, p, (secs / 3600).toLong(), 2)
        out[p++] = ':'.code.toByte()
        p = digits(out, p, (secs / 60 % 60).toLong(), 2)
        out[p++] = ':'.code.toByte()
        p = digits(out, p, (secs % 60).toLong(), 2)
        for (c in " GMT") out[p++] = c.code.toByte()
    }

    private fun digits(out: ByteArray, at: Int, value: Long, width: Int): Int {
        var v = value
        for (i in width - 1 downTo 0) {
            out[at + i] = ('0'.code + (v % 10).toInt()).toByte()
            v /= 10
        }
        return at + width
    }
}
