package io.netpoll.net

import java.io.Closeable
import java.io.IOException
import java.io.InputStream
import java.io.OutputStream
import java.net.SocketAddress
import java.nio.ByteBuffer
import java.time.Instant
import java.util.concurrent.CompletableFuture
import java.util.concurrent.Executor
import kotlin.time.Duration

/**
 * A byte stream to one peer, whatever carries it (Go's net.Conn interface): a plain [Conn] or a
 * [io.netpoll.net.tls.TlsConn]. Code written against it (a protocol handler, a buffered reader)
 * serves plain and TLS connections alike.
 *
 * The contract is [Conn]'s: one read and one write may run at a time, further readers (writers)
 * queue; deadlines are absolute and apply to calls in progress; a deadline or a cancellation ends
 * a call without corrupting the stream, so the next call continues where it stopped; errors are
 * the JVM's own types ([io.netpoll.DeadlineExceededException], [java.nio.channels.ClosedChannelException],
 * [java.nio.channels.AsynchronousCloseException], [java.net.SocketException], and for TLS
 * [javax.net.ssl.SSLException] subtypes).
 *
 * The Java side (`*Blocking`, `*Async`, streams) runs the same operations for threads and futures;
 * the suspend functions are hidden from Java (`@JvmSynthetic`).
 *
 * Performance: a caller holding a [Conn] (not this interface) gets its inline read and write,
 * which allocate nothing when they complete without waiting. Through this interface a read's Int
 * result is boxed like any suspend function's (the JVM caches small values only).
 */
interface StreamConn : Closeable {
    @get:Throws(IOException::class)
    val localAddress: SocketAddress

    @get:Throws(IOException::class)
    val remoteAddress: SocketAddress

    val isOpen: Boolean

    /** Reads into [dst]: bytes read, 0 if [dst] has no room, -1 at end of stream (and after it). */
    @JvmSynthetic
    suspend fun read(dst: ByteBuffer): Int

    /**
     * The read that never suspends: bytes read; 0 if nothing can be read now (nothing queued,
     * another read in progress, no room in [dst]); -1 at end of stream.
     */
    @Throws(IOException::class)
    fun tryRead(dst: ByteBuffer): Int

    /**
     * Suspends until a read would not block and reads nothing, so a connection can wait for its
     * next request without holding a buffer (then read with [tryRead] until it returns 0).
     */
    @JvmSynthetic
    suspend fun awaitReadable()

    /** Writes everything remaining in [src]; returns how many bytes that was. */
    @JvmSynthetic
    suspend fun write(src: ByteBuffer): Int

    /** Gathering write of everything remaining in [srcs]. */
    @JvmSynthetic
    suspend fun write(vararg srcs: ByteBuffer): Long

    /** Fills [dst] completely (Go's io.ReadFull); [java.io.EOFException] if the stream ends first. */
    @JvmSynthetic
    suspend fun readFully(dst: ByteBuffer)

    /** Read and write deadline together (Go's SetDeadline); null = none. */
    @Throws(IOException::class)
    fun setDeadline(deadline: Instant?)

    @Throws(IOException::class)
    fun setReadDeadline(deadline: Instant?)

    @Throws(IOException::class)
    fun setWriteDeadline(deadline: Instant?)

    /** Read and write deadline [timeout] from now; on a [Conn] this allocates nothing. */
    @Throws(IOException::class)
    fun setDeadline(timeout: Duration)

    @Throws(IOException::class)
    fun setReadDeadline(timeout: Duration)

    @Throws(IOException::class)
    fun setWriteDeadline(timeout: Duration)

    /** Read and write deadline as a [System.nanoTime] value; on a [Conn] this allocates nothing. */
    @Throws(IOException::class)
    fun setDeadlineNanos(nanoTime: Long)

    @Throws(IOException::class)
    fun setReadDeadlineNanos(nanoTime: Long)

    @Throws(IOException::class)
    fun setWriteDeadlineNanos(nanoTime: Long)

    /** Half-close of the reading side: further reads see end of stream. */
    @Throws(IOException::class)
    fun closeRead()

    /** Half-close of the writing side: the peer reads end of stream once it has everything sent. */
    @Throws(IOException::class)
    fun closeWrite()

    /** Closes the connection; idempotent. Calls in progress end with AsynchronousCloseException. */
    override fun close()

    // ---- Java facade ---------------------------------------------------------------------------

    /** [read] parking the calling thread; an interrupt ends it with [java.io.InterruptedIOException]. */
    @Throws(IOException::class)
    fun readBlocking(dst: ByteBuffer): Int

    /** [write] parking the calling thread. */
    @Throws(IOException::class)
    fun writeBlocking(src: ByteBuffer): Int

    /** [readFully] parking the calling thread. */
    @Throws(IOException::class)
    fun readFullyBlocking(dst: ByteBuffer)

    /** [awaitReadable] parking the calling thread. */
    @Throws(IOException::class)
    fun awaitReadableBlocking()

    /** [read] as a future completed on the common pool; cancelling it withdraws the read. */
    fun readAsync(dst: ByteBuffer): CompletableFuture<Int>

    /** [read] as a future completed on [executor]; cancelling it withdraws the read. */
    fun readAsync(dst: ByteBuffer, executor: Executor): CompletableFuture<Int>

    /** [write] as a future completed on the common pool. */
    fun writeAsync(src: ByteBuffer): CompletableFuture<Int>

    /** [write] as a future completed on [executor]. */
    fun writeAsync(src: ByteBuffer, executor: Executor): CompletableFuture<Int>

    /** A blocking [InputStream] over this connection; closing it closes the connection. */
    fun asInputStream(): InputStream

    /** A blocking [OutputStream] over this connection (unbuffered); closing it closes the connection. */
    fun asOutputStream(): OutputStream
}
