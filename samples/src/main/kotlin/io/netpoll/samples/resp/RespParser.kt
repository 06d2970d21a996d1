package io.netpoll.samples.resp

import java.nio.ByteBuffer

/**
 * Incremental parser for client requests in RESP2, both forms Redis accepts:
 * multibulk (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) and inline (`PING\r\n`, whitespace-separated).
 *
 * Protocol: [parse] looks at the readable bytes of a buffer in read mode. When they hold a whole
 * command it records each argument as an (offset, length) pair into that buffer, advances the
 * buffer past the command and returns [COMPLETE]; otherwise it leaves the buffer untouched and
 * returns [INCOMPLETE] (so a declared 100 MB bulk costs nothing until its bytes arrive).
 * Malformed input throws [RespProtocolException] with Redis's wording; the caller replies with it
 * and closes the connection, as Redis does.
 *
 * The argument views stay valid until the buffer is compacted or refilled, i.e. until the caller
 * has executed the command. hot path: no allocation beyond the first growth of the offset arrays.
 */
class RespParser(
    private val maxBulkBytes: Long = DEFAULT_MAX_BULK_BYTES,
    private val maxInlineBytes: Int = MAX_INLINE_BYTES,
) {
    /** Arguments of the last complete command. */
    var argc = 0
        private set
    private var argOffset = IntArray(16)
    private var argLength = IntArray(16)
    private var source: ByteBuffer? = null

    /** The value [decimal] parsed last. */
    var decimalValue = 0L
        private set

    fun parse(buf: ByteBuffer): Int {
        argc = 0
        source = buf
        if (!buf.hasRemaining()) return INCOMPLETE
        return if (buf.get(buf.position()) == '*'.code.toByte()) parseMultibulk(buf) else parseInline(buf)
    }

    fun length(i: Int): Int = argLength[i]

    /** Copy of argument [i]. */
    fun bytes(i: Int): ByteArray {
        val out = ByteArray(argLength[i])
        source!!.get(argOffset[i], out)
        return out
    }

    fun string(i: Int): String = String(bytes(i), Charsets.UTF_8)

    /** Argument [i] equals [ascii] ignoring ASCII case. hot path: no allocation. */
    fun equalsIgnoreCase(i: Int, ascii: String): Boolean {
        val n = argLength[i]
        if (n != ascii.length) return false
        val b = source!!
        val off = argOffset[i]
        for (k in 0 until n) {
            if (lower(b.get(off + k).toInt()) != lower(ascii[k].code)) return false
        }
        return true
    }

    /**
     * Whether argument [i] is a strict decimal long (Redis's string2ll); if so its value is in
     * [decimalValue]. Every long value parses, Long.MIN_VALUE included. hot path: no allocation.
     */
    fun decimal(i: Int): Boolean = decimal(source!!, argOffset[i], argLength[i])

    private fun parseMultibulk(buf: ByteBuffer): Int {
        val start = buf.position()
        val limit = buf.limit()
        var p = start + 1
        val eol = findCrlf(buf, p, limit)
        if (eol < 0) return incompleteLine(buf, start, limit, "invalid multibulk length")
        if (!decimal(buf, p, eol - p) || decimalValue > MAX_MULTIBULK) throw RespProtocolException("invalid multibulk length")
        val count = decimalValue
        p = eol + 2
        if (count <= 0) {
            buf.position(p)
            return COMPLETE
        }
        ensureArgs(count.toInt())
        for (i in 0 until count.toInt()) {
            if (p >= limit) return INCOMPLETE
            val c = buf.get(p)
            if (c != '$'.code.toByte()) {
                throw RespProtocolException("expected '$', got '${c.toInt().toChar()}'")
            }
            val lenEnd = findCrlf(buf, p + 1, limit)
            if (lenEnd < 0) return incompleteLine(buf, p, limit, "invalid bulk length")
            if (!decimal(buf, p + 1, lenEnd - p - 1) || decimalValue < 0 || decimalValue > maxBulkBytes) {
                throw RespProtocolException("invalid bulk length")
            }
            val len = decimalValue
            val dataStart = lenEnd + 2
            val dataEnd = dataStart.toLong() + len
            if (dataEnd + 2 > limit) return INCOMPLETE
            argOffset[i] = dataStart
            argLength[i] = len.toInt()
            p = dataEnd.toInt() + 2
        }
        argc = count.toInt()
        buf.position(p)
        return COMPLETE
    }

    private fun parseInline(buf: ByteBuffer): Int {
        val start = buf.position()
        val limit = buf.limit()
        var eol = -1
        for (k in start until limit) {
            if (buf.get(k) == LF) {
                eol = k
                break
            }
        }
        if (eol < 0) {
            if (limit - start > maxInlineBytes) throw RespProtocolException("too big inline request")
            return INCOMPLETE
        }
        val end = if (eol > start && buf.get(eol - 1) == CR) eol - 1 else eol
        var n = 0
        var k = start
        while (k < end) {
            while (k < end && isSpace(buf.get(k))) k++
            if (k >= end) break
            val s = k
            while (k < end && !isSpace(buf.get(k))) k++
            ensureArgs(n + 1)
            argOffset[n] = s
            argLength[n] = k - s
            n++
        }
        argc = n
        buf.position(eol + 1)
        return COMPLETE
    }

    private fun incompleteLine(buf: ByteBuffer, lineStart: Int, limit: Int, error: String): Int {
        if (limit - lineStart > MAX_HEADER_LINE) throw RespProtocolException(error)
        return INCOMPLETE
    }

    /**
     * Strict decimal (Redis's string2ll): optional '-', digits, no leading zeros, fits a long.
     * Sets [decimalValue] and returns true, or returns false; no sentinel value, so every long
     * parses. hot path: no allocation.
     */
    private fun decimal(buf: ByteBuffer, off: Int, len: Int): Boolean {
        if (len <= 0 || len > 20) return false
        var k = off
        val end = off + len
        val neg = buf.get(k) == '-'.code.toByte()
        if (neg && ++k == end) return false
        // "0" is the one number that starts with 0 ("-0" is not one).
        if (buf.get(k) == '0'.code.toByte() && (neg || end - k > 1)) return false
        // Accumulated as a negative number: its range reaches Long.MIN_VALUE.
        var v = 0L
        while (k < end) {
            val d = buf.get(k) - '0'.code.toByte()
            if (d < 0 || d > 9) return false
            if (v < (Long.MIN_VALUE + d) / 10) return false
            v = v * 10 - d
            k++
        }
        if (!neg && v == Long.MIN_VALUE) return false
        decimalValue = if (neg) v else -v
        return true
    }

    private fun ensureArgs(n: Int) {
        if (n <= argOffset.size) return
        var size = argOffset.size
        while (size < n) size *= 2
        argOffset = argOffset.copyOf(size)
        argLength = argLength.copyOf(size)
    }

    companion object {
        const val COMPLETE = 1
        const val INCOMPLETE = 0

        /** Redis's proto-max-bulk-len default. */
        const val DEFAULT_MAX_BULK_BYTES = 512L * 1024 * 1024
        const val MAX_INLINE_BYTES = 64 * 1024
        const val MAX_MULTIBULK = 1024L * 1024

        /** Longest `*N` / `$N` line worth waiting for: a 20-digit number plus sign and CRLF. */
        private const val MAX_HEADER_LINE = 32
        private const val CR = '\r'.code.toByte()
        private const val LF = '\n'.code.toByte()

        private fun isSpace(b: Byte) = b == ' '.code.toByte() || b == '\t'.code.toByte() || b == CR

        private fun lower(c: Int) = if (c in 'A'.code..'Z'.code) c + 32 else c

        private fun findCrlf(buf: ByteBuffer, from: Int, limit: Int): Int {
            var k = from
            while (k + 1 < limit) {
                if (buf.get(k) == CR && buf.get(k + 1) == LF) return k
                k++
            }
            return -1
        }
    }
}

/** Malformed RESP: the message follows Redis's `-ERR Protocol error: ...` wording. */
class RespProtocolException(message: String) : Exception(message)
