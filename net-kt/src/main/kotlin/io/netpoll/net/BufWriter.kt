package io.netpoll.net

import java.nio.ByteBuffer
import java.nio.charset.StandardCharsets

/**
 * Buffered writing to a [Conn] (Go's bufio.Writer): bytes collect in one direct buffer of [size]
 * bytes, allocated once, and reach the connection when it fills or on [flush]. Nothing is sent
 * implicitly otherwise: call [flush] at the end of each message.
 *
 * Buffer state: `buf` is kept in write mode; `[0, position)` is pending. A write larger than the
 * buffer, arriving while the buffer is empty, goes to the connection directly.
 *
 * Not safe for concurrent use (neither is bufio.Writer).
 */
class BufWriter @JvmOverloads constructor(private val conn: Conn, val size: Int = 4096) {
    private val buf: ByteBuffer = ByteBuffer.allocateDirect(size)

    init {
        require(size >= 16) { "buffer size must be at least 16 bytes, was $size" }
    }

    /** Bytes waiting for [flush]. */
    val buffered: Int
        get() = buf.position()

    /** Queues everything remaining in [src], flushing as the buffer fills. */
    suspend fun write(src: ByteBuffer) {
        while (src.hasRemaining()) {
            if (buf.position() == 0 && src.remaining() >= size) {
                conn.write(src)
                return
            }
            val n = minOf(src.remaining(), buf.remaining())
            buf.put(buf.position(), src, src.position(), n)
            buf.position(buf.position() + n)
            src.position(src.position() + n)
            if (!buf.hasRemaining()) {
                flush()
            }
        }
    }

    suspend fun writeByte(b: Int) {
        if (!buf.hasRemaining()) {
            flush()
        }
        buf.put(b.toByte())
    }

    /** Queues [s] encoded as UTF-8. */
    suspend fun writeString(s: String) {
        write(ByteBuffer.wrap(s.toByteArray(StandardCharsets.UTF_8)))
    }

    /** Sends everything buffered (Go's Flush). */
    suspend fun flush() {
        if (buf.position() == 0) {
            return
        }
        buf.flip()
        try {
            conn.write(buf)
        } finally {
            // After a failure (a deadline, say) the unsent bytes stay buffered for the next flush.
            buf.compact()
        }
    }
}
