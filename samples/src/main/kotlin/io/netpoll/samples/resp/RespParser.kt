package io.netpoll.samples.resp

import java.nio.ByteBuffer

/**
 * Incremental parser for client requests in RESP2, both forms Redis accepts:
 * multibulk (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) and inline (`PING\r\n`, `ECHO "a b"\r\n`).
 *
 * Protocol: [parse] looks at the readable bytes of a buffer in read mode, whose position is the
 * start of a command. When they hold the whole command it records each argument as an
 * (offset, length) pair, advances the buffer past the command and returns [COMPLETE]; otherwise
 * it consumes nothing and returns [INCOMPLETE]. Until that command completes, every call must
 * see the same command again from its start with more bytes appended; the caller may move it
 * (compact, copy to a bigger buffer) in between. The parser resumes where it stopped, so a
 * command arriving in N pieces costs its bytes once, not N times, and nothing is sized by a
 * declared count or length: the argument table grows as arguments arrive (as Redis's argv does),
 * and a declared bulk costs nothing until its bytes are there.
 *
 * Limits and errors are Redis 7's (processMultibulkBuffer, processInlineBuffer): a `*`/`$` line
 * ends at its first CR followed by any byte, a NUL before it (Redis scans with strchr) leaves it
 * unfinished, and an unfinished line passing [MAX_INLINE_BYTES] is an error. Inline commands
 * split as sdssplitargs does: "double quotes" with \n \r \t \b \a \\ \" \xHH escapes, 'single
 * quotes' with \', a closing quote followed by a blank or the end ("" is an empty argument).
 * Malformed input throws [RespProtocolException] with Redis's wording; the caller replies with it
 * and closes the connection, as Redis does.
 *
 * The argument views stay valid until the buffer is compacted or refilled, i.e. until the caller
 * has executed the command (inline arguments are decoded into a scratch array of the parser's).
 * hot path: no allocation beyond the growth of the argument table and the scratch array.
 */
class RespParser(
    private val maxBulkBytes: Long = DEFAULT_MAX_BULK_BYTES,
    private val maxInlineBytes: Int = MAX_INLINE_BYTES,
) {
    /** Arguments of the last complete command. */
    var argc = 0
        private set
    private var argOffset = IntArray(INITIAL_ARGS)
    private var argLength = IntArray(INITIAL_ARGS)

    /** Where the arguments of the last complete command are: [base] + their offset in [source]. */
    private var source: ByteBuffer? = null
    private var base = 0

    // The command under way, kept across INCOMPLETE calls; offsets are from the command's start.
    private var form = NONE
    /** Arguments still to come (multibulk), -1 before the `*` line is parsed. */
    private var expected = -1
    private var parsed = 0
    /** Start of the next line or bulk. */
    private var cursor = 0
    /** Length of the bulk at [cursor] once its `$` line is parsed, else -1. */
    private var bulkLength = -1
    /** How far the current line has been searched for its end. */
    private var scanned = 0

    /** Decoded inline arguments. */
    private var inline = ByteArray(INITIAL_INLINE_BYTES)
    private var inlineView = ByteBuffer.wrap(inline)

    /** The value [decimal] parsed last. */
    var decimalValue = 0L
        private set

    fun parse(buf: ByteBuffer): Int {
        argc = 0
        val start = buf.position()
        val n = buf.limit() - start
        if (form == NONE) {
            if (n == 0) return INCOMPLETE
            form = if (buf.get(start) == '*'.code.toByte()) MULTIBULK else INLINE
            expected = -1
            parsed = 0
            cursor = 0
            bulkLength = -1
            scanned = 0
        }
        val status = if (form == MULTIBULK) parseMultibulk(buf, start, n) else parseInline(buf, start, n)
        if (status == COMPLETE) form = NONE
        return status
    }

    fun length(i: Int): Int = argLength[i]

    /** Copy of argument [i]. */
    fun bytes(i: Int): ByteArray {
        val out = ByteArray(argLength[i])
        source!!.get(base + argOffset[i], out)
        return out
    }

    /** Argument [i] copied into the start of [dst] (at least [length] of it long). hot path: no allocation. */
    fun copyInto(i: Int, dst: ByteArray) {
        source!!.get(base + argOffset[i], dst, 0, argLength[i])
    }

    fun string(i: Int): String = String(bytes(i), Charsets.UTF_8)

    /** Argument [i] equals [ascii] ignoring ASCII case. hot path: no allocation. */
    fun equalsIgnoreCase(i: Int, ascii: String): Boolean {
        val n = argLength[i]
        if (n != ascii.length) return false
        val b = source!!
        val off = base + argOffset[i]
        for (k in 0 until n) {
            if (lower(b.get(off + k).toInt()) != lower(ascii[k].code)) return false
        }
        return true
    }

    /**
     * Whether argument [i] is a strict decimal long (Redis's string2ll); if so its value is in
     * [decimalValue]. Every long value parses, Long.MIN_VALUE included. hot path: no allocation.
     */
    fun decimal(i: Int): Boolean = decimal(source!!, base + argOffset[i], argLength[i])

    private fun parseMultibulk(buf: ByteBuffer, start: Int, n: Int): Int {
        if (expected < 0) {
            val eol = lineEnd(buf, start, n)
            if (eol < 0) return unfinishedLine(n, "too big mbulk count string")
            if (!decimal(buf, start + 1, eol - 1) || decimalValue > Int.MAX_VALUE) fail("invalid multibulk length")
            cursor = eol + 2
            scanned = cursor
            if (decimalValue <= 0) return complete(buf, start, buf)
            expected = decimalValue.toInt()
        }
        while (parsed < expected) {
            if (bulkLength < 0) {
                val eol = lineEnd(buf, start, n)
                if (eol < 0) return unfinishedLine(n - cursor, "too big bulk count string")
                val c = buf.get(start + cursor)
                if (c != '$'.code.toByte()) fail("expected '$', got '${(c.toInt() and 0xff).toChar()}'")
                val digits = start + cursor + 1
                if (!decimal(buf, digits, start + eol - digits) || decimalValue < 0 || decimalValue > maxBulkBytes) {
                    fail("invalid bulk length")
                }
                bulkLength = decimalValue.toInt()
                cursor = eol + 2
            }
            // Redis skips the two bytes after the data without looking at them; so does this.
            if (n - cursor < bulkLength.toLong() + 2) return INCOMPLETE
            addArg(cursor, bulkLength)
            cursor += bulkLength + 2
            scanned = cursor
            bulkLength = -1
        }
        return complete(buf, start, buf)
    }

    private fun parseInline(buf: ByteBuffer, start: Int, n: Int): Int {
        var k = scanned
        while (k < n) {
            val b = buf.get(start + k)
            if (b == LF || b == NUL) break
            k++
        }
        scanned = k
        if (k == n || buf.get(start + k) == NUL) {
            if (n > maxInlineBytes) fail("too big inline request")
            return INCOMPLETE
        }
        val end = if (k > 0 && buf.get(start + k - 1) == CR) k - 1 else k
        splitArgs(buf, start, start + end)
        cursor = k + 1
        return complete(buf, start, inlineView)
    }

    /**
     * Splits an inline line into [inline] as Redis's sdssplitargs does; the line holds no NUL
     * (the scan for its LF stopped at the first one).
     */
    private fun splitArgs(buf: ByteBuffer, from: Int, to: Int) {
        if (inline.size < to - from) {
            inline = ByteArray(maxOf(to - from, inline.size * 2))
            inlineView = ByteBuffer.wrap(inline)
        }
        val out = inline
        var w = 0
        var p = from
        while (true) {
            while (p < to && isBlank(buf.get(p))) p++
            if (p == to) return
            val argStart = w
            var quote = NUL
            while (true) {
                if (quote == NUL) {
                    if (p == to) break
                    val c = buf.get(p++)
                    if (c == SP || c == LF || c == CR || c == TAB) break
                    if (c == DQUOTE || c == SQUOTE) quote = c else out[w++] = c
                    continue
                }
                if (p == to) fail("unbalanced quotes in request")
                val c = buf.get(p)
                if (c == quote) {
                    if (p + 1 < to && !isBlank(buf.get(p + 1))) fail("unbalanced quotes in request")
                    p++
                    break
                }
                if (c == BACKSLASH && quote == DQUOTE && p + 3 < to && buf.get(p + 1) == 'x'.code.toByte() &&
                    hex(buf.get(p + 2)) >= 0 && hex(buf.get(p + 3)) >= 0
                ) {
                    out[w++] = (hex(buf.get(p + 2)) * 16 + hex(buf.get(p + 3))).toByte()
                    p += 4
                } else if (c == BACKSLASH && quote == DQUOTE && p + 1 < to) {
                    out[w++] = unescape(buf.get(p + 1))
                    p += 2
                } else if (c == BACKSLASH && quote == SQUOTE && p + 1 < to && buf.get(p + 1) == SQUOTE) {
                    out[w++] = SQUOTE
                    p += 2
                } else {
                    out[w++] = c
                    p++
                }
            }
            addArg(argStart, w - argStart)
        }
    }

    private fun addArg(offset: Int, length: Int) {
        if (parsed == argOffset.size) {
            argOffset = argOffset.copyOf(parsed * 2)
            argLength = argLength.copyOf(parsed * 2)
        }
        argOffset[parsed] = offset
        argLength[parsed] = length
        parsed++
    }

    private fun complete(buf: ByteBuffer, start: Int, args: ByteBuffer): Int {
        source = args
        base = if (args === buf) start else 0
        argc = parsed
        buf.position(start + cursor)
        return COMPLETE
    }

    /**
     * Offset of the CR ending the line at [cursor], if a byte follows it; else -1, remembering
     * how far it looked. A NUL stops the search for good, as Redis's strchr does.
     */
    private fun lineEnd(buf: ByteBuffer, start: Int, n: Int): Int {
        var k = maxOf(scanned, cursor)
        while (k < n) {
            val b = buf.get(start + k)
            if (b == NUL) break
            if (b == CR) {
                if (k + 1 < n) return k
                break
            }
            k++
        }
        scanned = k
        return -1
    }

    private fun unfinishedLine(pending: Int, error: String): Int {
        if (pending > MAX_INLINE_BYTES) fail(error)
        return INCOMPLETE
    }

    private fun fail(message: String): Nothing {
        form = NONE
        throw RespProtocolException(message)
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

    companion object {
        const val COMPLETE = 1
        const val INCOMPLETE = 0

        /** Redis's proto-max-bulk-len default. */
        const val DEFAULT_MAX_BULK_BYTES = 512L * 1024 * 1024

        /** Redis's PROTO_INLINE_MAX_SIZE: an inline command, or an unfinished `*`/`$` line. */
        const val MAX_INLINE_BYTES = 64 * 1024

        private const val INITIAL_ARGS = 16
        private const val INITIAL_INLINE_BYTES = 256
        private const val NONE = 0
        private const val MULTIBULK = 1
        private const val INLINE = 2

        private const val NUL: Byte = 0
        private const val CR = '\r'.code.toByte()
        private const val LF = '\n'.code.toByte()
        private const val SP = ' '.code.toByte()
        private const val TAB = '\t'.code.toByte()
        private const val DQUOTE = '"'.code.toByte()
        private const val SQUOTE = '\''.code.toByte()
        private const val BACKSLASH = '\\'.code.toByte()

        /** C's isspace in the C locale: what Redis skips between inline arguments. */
        private fun isBlank(b: Byte) = b == SP || (b in 9..13)

        private fun hex(b: Byte): Int = when (b.toInt().toChar()) {
            in '0'..'9' -> b - '0'.code.toByte()
            in 'a'..'f' -> b - 'a'.code.toByte() + 10
            in 'A'..'F' -> b - 'A'.code.toByte() + 10
            else -> -1
        }

        private fun unescape(b: Byte): Byte = when (b.toInt().toChar()) {
            'n' -> LF
            'r' -> CR
            't' -> TAB
            'b' -> 8
            'a' -> 7
            else -> b
        }

        private fun lower(c: Int) = if (c in 'A'.code..'Z'.code) c + 32 else c
    }
}

/** Malformed RESP: the message follows Redis's `-ERR Protocol error: ...` wording. */
class RespProtocolException(message: String) : Exception(message)
