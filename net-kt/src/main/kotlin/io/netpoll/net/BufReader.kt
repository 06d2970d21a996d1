package io.netpoll.net

import java.io.EOFException
import java.nio.BufferOverflowException
import java.nio.ByteBuffer
import java.nio.charset.StandardCharsets

/**
 * Buffered reading from a [StreamConn] (Go's bufio.Reader): one direct buffer of [size] bytes, allocated
 * once, refilled with as few reads as possible.
 *
 * Buffer state: `buf` is kept in read mode; bytes in `[position, limit)` are read from the
 * connection but not yet consumed. [readSlice] and [readExactly] return a view into the buffer
 * (one view object, reused) that stays valid only until the next call on this reader.
 *
 * Not safe for concurrent use (neither is bufio.Reader).
 */
class BufReader @JvmOverloads constructor(private val conn: StreamConn, val size: Int = 4096) {
    private val buf: ByteBuffer = ByteBuffer.allocateDirect(size).limit(0)
    private val view: ByteBuffer = buf.duplicate()
    private var eof = false

    init {
        require(size >= 16) { "buffer size must be at least 16 bytes, was $size" }
    }

    /** Bytes buffered and not yet consumed. */
    val buffered: Int
        get() = buf.remaining()

    /** Reads more into the buffer; false at end of stream. */
    private suspend fun fill(): Boolean {
        if (eof) {
            return false
        }
        buf.compact()
        val n = try {
            readFrom(buf)
        } finally {
            buf.flip()
        }
        if (n < 0) {
            eof = true
            return false
        }
        return true
    }

    /** Go's Reader.Read: buffered bytes first; large reads on an empty buffer bypass it. -1 at EOF. */
    suspend fun read(dst: ByteBuffer): Int {
        if (!dst.hasRemaining()) {
            return 0
        }
        if (!buf.hasRemaining()) {
            if (dst.remaining() >= size) {
                return if (eof) -1 else readFrom(dst)
            }
            if (!fill()) {
                return -1
            }
        }
        return copyTo(dst)
    }

    /** One byte (0..255), or -1 at end of stream. */
    suspend fun readByte(): Int {
        if (!buf.hasRemaining() && !fill()) {
            return -1
        }
        return buf.get().toInt() and 0xff
    }

    /**
     * Go's ReadSlice: the bytes up to and including [delim], as a view valid until the next call;
     * null at end of stream when nothing is buffered. [EOFException] if the stream ends inside a
     * frame; [BufferOverflowException] if [size] bytes arrive without [delim] (bufio.ErrBufferFull).
     */
    suspend fun readSlice(delim: Byte): ByteBuffer? {
        val n = frameLength(delim)
        if (n >= 0) {
            return consume(n)
        }
        if (!buf.hasRemaining()) {
            return null
        }
        throw EOFException("end of stream inside a frame (${buf.remaining()} bytes without delimiter)")
    }

    /**
     * A line without its "\n" or "\r\n", decoded as UTF-8 (Go's ReadString('\n') trimmed); null at
     * end of stream. A last line without "\n" is returned as is. Lines must fit in the buffer
     * ([BufferOverflowException] otherwise).
     */
    suspend fun readLine(): String? {
        val n = frameLength('\n'.code.toByte())
        val line = when {
            n >= 0 -> consume(n)
            buf.hasRemaining() -> consume(buf.remaining())
            else -> return null
        }
        var end = line.limit()
        if (end > line.position() && line.get(end - 1) == '\n'.code.toByte()) end--
        if (end > line.position() && line.get(end - 1) == '\r'.code.toByte()) end--
        line.limit(end)
        return StandardCharsets.UTF_8.decode(line).toString()
    }

    /**
     * Fills until the buffer holds [delim]: the length of the frame up to and including it, or -1
     * if the stream ended first (what arrived stays buffered). [BufferOverflowException] if the
     * buffer fills without it.
     */
    private suspend fun frameLength(delim: Byte): Int {
        var scanned = 0
        while (true) {
            val start = buf.position()
            for (i in start + scanned until buf.limit()) {
                if (buf.get(i) == delim) {
                    return i + 1 - start
                }
            }
            scanned = buf.remaining()
            if (scanned == size) {
                throw BufferOverflowException()
            }
            if (!fill()) {
                return -1
            }
        }
    }

    /** Exactly [n] bytes (n <= [size]) as a view valid until the next call; [EOFException] if the stream ends first. */
    suspend fun readExactly(n: Int): ByteBuffer {
        require(n in 0..size) { "cannot read $n bytes through a $size-byte buffer" }
        while (buf.remaining() < n) {
            if (!fill()) {
                throw EOFException("end of stream with ${n - buf.remaining()} of $n bytes missing")
            }
        }
        return consume(n)
    }

    /** Fills [dst] completely (Go's io.ReadFull over the reader); [EOFException] if the stream ends first. */
    suspend fun readFully(dst: ByteBuffer) {
        while (dst.hasRemaining()) {
            if (read(dst) < 0) {
                throw EOFException("end of stream with ${dst.remaining()} bytes still expected")
            }
        }
    }

    private fun consume(n: Int): ByteBuffer {
        val start = buf.position()
        view.limit(start + n).position(start)
        buf.position(start + n)
        return view
    }

    private fun copyTo(dst: ByteBuffer): Int {
        val n = minOf(dst.remaining(), buf.remaining())
        dst.put(dst.position(), buf, buf.position(), n)
        dst.position(dst.position() + n)
        buf.position(buf.position() + n)
        return n
    }

    /** A [Conn] is read through its inline read (no allocation); any other [StreamConn] through the interface.
     * Inline itself, since a suspend function's Int result would be boxed. */
    @Suppress("NOTHING_TO_INLINE")
    private suspend inline fun readFrom(dst: ByteBuffer): Int {
        val c = conn
        return if (c is Conn) c.read(dst) else c.read(dst)
    }
}
