package io.netpoll.net

import io.netpoll.net.internal.CoopBudget
import io.netpoll.net.internal.SuspendingFD
import io.netpoll.poller.fd.NetFD
import java.io.EOFException
import java.io.IOException
import java.net.SocketAddress
import java.nio.ByteBuffer
import java.nio.channels.ClosedChannelException
import kotlin.coroutines.coroutineContext

/**
 * A stream connection (Go's net.Conn / TCPConn / UnixConn), from [Net.dial] or [Listener.accept].
 *
 * Reads and writes suspend the calling coroutine while the socket is not ready and never block a
 * thread. One read and one write may be in progress at a time; further concurrent readers (or
 * writers) queue in order, as in Go. Errors are the JVM's own types:
 * [io.netpoll.DeadlineExceededException] when a deadline passes,
 * [java.nio.channels.ClosedChannelException] after [close],
 * [java.nio.channels.AsynchronousCloseException] when closed during the call,
 * [java.net.SocketException] with the errno text on a reset or other socket error.
 * Cancelling the coroutine ends a blocked call with CancellationException and leaves the
 * connection usable.
 *
 * Fairness: coroutines are not preempted, so a call that completes without suspending spends from
 * the coroutine's cooperative budget, and every [CoopBudget.BUDGET]th such call in a row yields to
 * the other coroutines on its thread first (see [CoopBudget]).
 *
 * TCP connections have TCP_NODELAY on (as in Go).
 *
 * The suspend functions are for Kotlin and hidden from Java, which calls the `*Blocking` and
 * `*Async` forms of [ConnFacade] instead.
 */
class Conn private constructor(fd: NetFD) : ConnFacade(fd), StreamConn {
    @PublishedApi
    @get:JvmSynthetic
    internal val io = SuspendingFD(fd)

    /** The peer's address. */
    @get:Throws(IOException::class)
    override val remoteAddress: SocketAddress
        get() = fd.remoteAddress() ?: throw java.nio.channels.NotYetConnectedException()

    /**
     * Reads into [dst]: bytes read, 0 if [dst] has no room, -1 at end of stream (and after it).
     * Inline so that a read allocates nothing, whether it completes at once (a plain Int from
     * [SuspendingFD.readNow]) or waits (the waiting read resumes with its reused op, not an Int box).
     * (Final, so the inlined body and the one [StreamConn] callers reach are the same code.)
     */
    @Suppress("NOTHING_TO_INLINE", "OVERRIDE_BY_INLINE")
    @JvmSynthetic
    override suspend inline fun read(dst: ByteBuffer): Int {
        // Spends from the coroutine's cooperative budget, yielding first when it is used up; a
        // read about to wait refills it (see CoopBudget).
        if (CoopBudget.spend(coroutineContext)) {
            CoopBudget.yieldTurn()
        }
        // An Int variable, not an if-expression: merging the fast value with the suspend call's
        // (Object) result in one expression makes the compiler box the fast value.
        var n = io.readNow(dst)
        if (n < -1) {
            // NOT_NOW or NO_DATA: about to wait
            CoopBudget.refill(coroutineContext)
            n = io.read(dst, n).takeCount()
        }
        return n
    }

    /**
     * The read that never suspends (java.nio's non-blocking read): bytes read; 0 if nothing can be
     * read now — no data queued, another read in progress, or no room in [dst]; -1 at end of stream.
     * Errors as for [read]: [java.nio.channels.ClosedChannelException] after [close],
     * [io.netpoll.DeadlineExceededException] once the read deadline has passed,
     * [java.net.SocketException] on a reset.
     */
    @Throws(IOException::class)
    override fun tryRead(dst: ByteBuffer): Int {
        // hot path: no allocation
        val n = io.readNow(dst)
        if (n >= -1) {
            return n
        }
        if (!fd.isOpen) {
            throw ClosedChannelException()
        }
        return 0
    }

    /**
     * Suspends until a read would not block — data is queued, the stream has ended, or the socket
     * has an error — and reads nothing, so a connection can wait for its next request without
     * holding a buffer (Go's `RawConn.Read` / `pollDesc.waitRead`). Borrow a buffer when it returns
     * (see [BufferPool]) and read with [tryRead] until it returns 0, then wait again.
     *
     * It takes its turn with reads (one of them at a time) and fails as a read does: the read
     * deadline ([io.netpoll.DeadlineExceededException], even when data is waiting),
     * [java.nio.channels.ClosedChannelException] after [close],
     * [java.nio.channels.AsynchronousCloseException] when closed meanwhile. A socket error (a reset)
     * already pending is thrown as its [java.net.SocketException], since the probe takes it from the
     * kernel; one that arrives during the wait ends the wait and is thrown by the next read.
     * Cancellation leaves the connection usable.
     *
     * Readiness can be stale by the time you read: another reader may have taken the data, and the
     * poller's report may rarely describe data an earlier read already took. Code that reads after
     * it must therefore accept finding nothing ([tryRead] returning 0). Returning without suspending
     * allocates nothing.
     */
    @JvmSynthetic
    override suspend fun awaitReadable() {
        // Tail calls only, so a call that does not suspend allocates no frame.
        if (CoopBudget.spend(coroutineContext)) {
            return awaitReadableAfterYield()
        }
        io.awaitReadable()
    }

    private suspend fun awaitReadableAfterYield() {
        CoopBudget.yieldTurn()
        io.awaitReadable()
    }

    /**
     * Writes everything remaining in [src] (Go's Write never returns short without an error).
     * Inline so that a write the socket takes at once allocates nothing.
     */
    @Suppress("NOTHING_TO_INLINE", "OVERRIDE_BY_INLINE")
    @JvmSynthetic
    override suspend inline fun write(src: ByteBuffer): Int {
        if (CoopBudget.spend(coroutineContext)) {
            CoopBudget.yieldTurn()
        }
        val total = src.remaining()
        if (!io.writeNow(src)) {
            CoopBudget.refill(coroutineContext)
            io.write(src)
        }
        return total
    }

    /** Gathering write (writev) of everything remaining in [srcs]. */
    @JvmSynthetic
    override suspend fun write(vararg srcs: ByteBuffer): Long {
        if (CoopBudget.spend(coroutineContext)) {
            CoopBudget.yieldTurn()
        }
        var total = 0L
        for (b in srcs) {
            total += b.remaining()
        }
        @Suppress("UNCHECKED_CAST")
        io.write(srcs as Array<ByteBuffer>)
        return total
    }

    /**
     * Fills [dst] completely (Go's io.ReadFull); [EOFException] if the stream ends first. Inline
     * for the same reason as [read]: no frame of its own to allocate when a read waits.
     */
    @Suppress("NOTHING_TO_INLINE", "OVERRIDE_BY_INLINE")
    @JvmSynthetic
    override suspend inline fun readFully(dst: ByteBuffer) {
        while (dst.hasRemaining()) {
            if (read(dst) < 0) {
                throw EOFException("end of stream with ${dst.remaining()} bytes still expected")
            }
        }
    }

    override fun close() {
        super.close()
        io.closed()
    }

    /** Half-close: further reads see end of stream (shutdown SHUT_RD). */
    @Throws(IOException::class)
    override fun closeRead() {
        fd.shutdownInput()
    }

    /** Half-close: sends FIN after the queued data; the peer reads end of stream (SHUT_WR). */
    @Throws(IOException::class)
    override fun closeWrite() {
        fd.shutdownOutput()
    }

    /** TCP_NODELAY (on by default). */
    @Throws(IOException::class)
    fun setNoDelay(on: Boolean) {
        fd.setNoDelay(on)
    }

    /** SO_KEEPALIVE. */
    @Throws(IOException::class)
    fun setKeepAlive(on: Boolean) {
        fd.setKeepAlive(on)
    }

    /** SO_RCVBUF in bytes (Go's SetReadBuffer). */
    @Throws(IOException::class)
    fun setReadBuffer(bytes: Int) {
        fd.setReceiveBufferSize(bytes)
    }

    /** SO_SNDBUF in bytes (Go's SetWriteBuffer). */
    @Throws(IOException::class)
    fun setWriteBuffer(bytes: Int) {
        fd.setSendBufferSize(bytes)
    }

    /** Go's SetLinger: < 0 off (the default), 0 close sends a reset, > 0 close lingers that many seconds. */
    @Throws(IOException::class)
    fun setLinger(seconds: Int) {
        fd.setLinger(seconds)
    }

    internal companion object {
        /** A connection over [fd], which this takes over (a dial's or an accept's). */
        @JvmSynthetic
        fun of(fd: NetFD): Conn = Conn(fd)
    }
}
