package io.netpoll.samples.resp

import java.nio.ByteBuffer

/**
 * RESP2 reply encoder into one growable buffer per connection.
 *
 * Replies of a pipelined batch accumulate here and go out in one write when the input holds no
 * further complete command (or the buffer passes [flushThresholdBytes]). The buffer is reused
 * across batches and only grows; [clear] after each flush. hot path: no allocation except growth.
 * A [direct] buffer is written to a socket without a copy (a pub/sub [Outbox]).
 */
class RespWriter(
    initialBytes: Int = 16 * 1024,
    val flushThresholdBytes: Int = 64 * 1024,
    private val direct: Boolean = false,
) {
    var buffer: ByteBuffer = allocate(initialBytes)
        private set
    private val digits = ByteArray(20)

    val size: Int get() = buffer.position()

    fun clear() {
        buffer.clear()
    }

    fun simple(s: String) {
        ensure(s.length + 3)
        buffer.put('+'.code.toByte())
        putAscii(s)
        crlf()
    }

    fun ok() = raw(OK)

    /** [message] starts with the error code (`ERR ...`, `WRONGTYPE ...`). */
    fun error(message: String) {
        ensure(message.length + 3)
        buffer.put('-'.code.toByte())
        putAscii(message)
        crlf()
    }

    fun integer(v: Long) {
        prefixed(':'.code.toByte(), v)
    }

    fun bulk(b: ByteArray?) {
        if (b == null) return raw(NULL_BULK)
        prefixed('$'.code.toByte(), b.size.toLong())
        ensure(b.size + 2)
        buffer.put(b)
        crlf()
    }

    fun bulk(s: String) = bulk(s.toByteArray(Charsets.UTF_8))

    fun nullBulk() = raw(NULL_BULK)

    fun nullArray() = raw(NULL_ARRAY)

    fun arrayHeader(n: Int) = prefixed('*'.code.toByte(), n.toLong())

    /** Pre-encoded bytes (a shared reply constant). */
    fun raw(b: ByteArray) {
        ensure(b.size)
        buffer.put(b)
    }

    /** The remaining bytes of [src] (replies queued before subscribe mode). */
    fun raw(src: ByteBuffer) {
        ensure(src.remaining())
        buffer.put(src)
    }

    private fun prefixed(type: Byte, v: Long) {
        ensure(24)
        buffer.put(type)
        putLong(v)
        crlf()
    }

    private fun putLong(v: Long) {
        if (v == Long.MIN_VALUE) return putAscii(Long.MIN_VALUE.toString())
        var x = v
        if (x < 0) {
            buffer.put('-'.code.toByte())
            x = -x
        }
        var n = 0
        do {
            digits[n++] = ('0'.code + (x % 10).toInt()).toByte()
            x /= 10
        } while (x != 0L)
        while (n > 0) buffer.put(digits[--n])
    }

    private fun putAscii(s: String) {
        for (c in s) buffer.put(c.code.toByte())
    }

    private fun crlf() {
        buffer.put('\r'.code.toByte())
        buffer.put('\n'.code.toByte())
    }

    private fun ensure(extra: Int) {
        if (buffer.remaining() >= extra) return
        var cap = buffer.capacity() * 2
        while (cap - buffer.position() < extra) cap *= 2
        val bigger = allocate(cap)
        buffer.flip()
        bigger.put(buffer)
        buffer = bigger
    }

    private fun allocate(bytes: Int): ByteBuffer = if (direct) ByteBuffer.allocateDirect(bytes) else ByteBuffer.allocate(bytes)

    companion object {
        val OK = "+OK\r\n".toByteArray()
        val NULL_BULK = "\$-1\r\n".toByteArray()
        val NULL_ARRAY = "*-1\r\n".toByteArray()
    }
}
