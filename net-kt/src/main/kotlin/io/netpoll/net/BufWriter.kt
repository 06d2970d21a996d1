package io.netpoll.net

import java.nio.ByteBuffer
import java.nio.CharBuffer
import java.nio.charset.CharsetEncoder
import java.nio.charset.CodingErrorAction
import java.nio.charset.StandardCharsets

/**
 * Buffered writing to a [StreamConn] (Go's bufio.Writer): bytes collect in one direct buffer of [size]
 * bytes, allocated once, and reach the connection when it fills or on [flush]. Nothing is sent
 * implicitly otherwise: call [flush] at the end of each message.
 *
 * Buffer state: `buf` is kept in write mode; `[0, position)` is pending. A write larger than the
 * buffer, arriving while the buffer is empty, goes to the connection directly.
 *
 * Not safe for concurrent use (neither is bufio.Writer).
 */
class BufWriter @JvmOverloads constructor(private val conn: StreamConn, val size: Int = 4096) {
    private val buf: ByteBuffer = ByteBuffer.allocateDirect(size)
    private val encoder: CharsetEncoder = StandardCharsets.UTF_8.newEncoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE)
    private val chars: CharBuffer = CharBuffer.allocate(256)

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
                writeTo(src)
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

    /**
     * Queues [s] encoded as UTF-8 (an unpaired surrogate becomes '?', as in [String.toByteArray]),
     * flushing as the buffer fills. The characters are encoded straight into the buffer: a string
     * that fits allocates nothing (inline, like [Conn.write], so not even a continuation).
     */
    @Suppress("NOTHING_TO_INLINE")
    suspend inline fun writeString(s: String) {
        val next = encodeNow(s, 0)
        if (next < s.length) {
            writeStringSlow(s, next)
        }
    }

    /**
     * Encodes [s] from index [from] into the buffer until it is done or the buffer is full; returns
     * the index reached. Characters pass through [chars] a chunk at a time, since the encoder reads
     * a CharBuffer and wrapping the string would allocate one per call. Index 0 starts a new string
     * and resets the encoder; UTF-8 keeps no state between characters, so it needs no flush.
     */
    @PublishedApi
    @JvmSynthetic
    internal fun encodeNow(s: String, from: Int): Int {
        // hot path: no allocation
        if (from == 0) {
            encoder.reset()
        }
        var i = from
        while (i < s.length) {
            val n = minOf(s.length - i, chars.capacity())
            s.toCharArray(chars.array(), 0, i, i + n)
            chars.position(0).limit(n)
            // Not at the end of input, an unpaired high surrogate closing a chunk stays unconsumed
            // and is copied again at the head of the next one.
            val r = encoder.encode(chars, buf, i + n == s.length)
            i += chars.position()
            if (r.isOverflow) {
                break
            }
        }
        return i
    }

    /** [writeString] once the buffer is full: flush, encode the rest, repeat. */
    @PublishedApi
    @JvmSynthetic
    internal suspend fun writeStringSlow(s: String, from: Int) {
        var i = from
        while (i < s.length) {
            flush()
            i = encodeNow(s, i)
        }
    }

    /** Sends everything buffered (Go's Flush). */
    suspend fun flush() {
        if (buf.position() == 0) {
            return
        }
        buf.flip()
        try {
            writeTo(buf)
        } finally {
            // After a failure (a deadline, say) the unsent bytes stay buffered for the next flush.
            buf.compact()
        }
    }

    /** A [Conn] is written through its inline write (no allocation); any other [StreamConn] through the interface. */
    @Suppress("NOTHING_TO_INLINE")
    private suspend inline fun writeTo(src: ByteBuffer) {
        val c = conn
        if (c is Conn) c.write(src) else c.write(src)
    }
}
