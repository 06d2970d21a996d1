package io.netpoll.net.internal

import io.netpoll.net.Conn
import io.netpoll.poller.PollDesc
import io.netpoll.poller.fd.IoOp
import io.netpoll.poller.fd.NetFD
import java.net.SocketAddress
import java.nio.ByteBuffer
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater

/**
 * [NetFD]'s operations as suspend functions (Go's poll.FD.Read/Write/Accept with the goroutine park
 * replaced by a coroutine suspension). The I/O loop itself is poller-java's [IoOp], the same one
 * NetFD's blocking and CompletableFuture calls run, on the same fdMutex, so coroutine,
 * blocking-thread and future callers of one descriptor are serialised together, and `close` waits
 * for all of them before the fd number is released.
 *
 * Two halves:
 * - [readNow] / [writeNow] are the whole operation when it needs no suspension (lock free, data or
 *   buffer space ready): plain functions returning primitives, so a call that completes at once
 *   allocates nothing — not even the Int box a suspend function's result needs. [Conn.read] and
 *   [Conn.write] inline them at the call site. HotPathSpec measures this.
 * - Otherwise the operation runs as a [SuspendingOp]: the caller suspends once, in a tail call.
 *   One op per direction is kept and reused ([readOp], [release]), so a wait allocates nothing
 *   either (SuspendedAllocationSpec, SuspendedRoundTripBenchmark). A read resumes with the op, not
 *   an Int, and the inlined caller takes the count from it ([SuspendingOp.takeCount]): no box.
 *
 * [awaitReadable] is the read loop with a MSG_PEEK probe in place of the read (Go's rawConn.Read(f)
 * with an f that reads nothing): same lock, same wait, so it queues with reads and fails like a
 * read; see [NetFD.awaitReadable].
 */
@PublishedApi
internal class SuspendingFD(@JvmField val fd: NetFD) {
    @JvmField
    internal val pd: PollDesc = fd.pollDesc()
    @Volatile
    private var readSpare: SuspendingOp? = null
    @Volatile
    private var writeSpare: SuspendingOp? = null

    // ---- the operations' lifecycle -------------------------------------------------------------

    /** This direction's op, or a new one if another caller has it (a queued second reader). */
    @PublishedApi
    internal fun readOp(): SuspendingOp = READ_SPARE.getAndSet(this, null) ?: SuspendingOp(this, true)

    private fun writeOp(): SuspendingOp = WRITE_SPARE.getAndSet(this, null) ?: SuspendingOp(this, false)

    /** An op has ended and may be reused; after close it stops watching its job instead. */
    internal fun release(op: SuspendingOp, read: Boolean) {
        if (!fd.isOpen) {
            op.unwatch()
            return
        }
        val spare = if (read) READ_SPARE else WRITE_SPARE
        spare.set(this, op)
        if (!fd.isOpen && spare.compareAndSet(this, op, null)) {
            op.unwatch()
        }
    }

    /**
     * The descriptor was closed: the kept ops stop watching their jobs, so a coroutine that
     * outlives many connections does not collect a cancellation handler for each.
     */
    fun closed() {
        READ_SPARE.getAndSet(this, null)?.unwatch()
        WRITE_SPARE.getAndSet(this, null)?.unwatch()
    }

    // ---- read ----------------------------------------------------------------------------------

    /**
     * The read, if it completes without waiting for the lock or for data: bytes read, 0 if [dst]
     * has no room, -1 at end of stream; otherwise, with nothing consumed, [NOT_NOW] (the lock is
     * busy) or [NO_DATA] (the socket had nothing: the read that follows waits before it tries).
     */
    @PublishedApi
    internal fun readNow(dst: ByteBuffer): Int = IoOp.readNow(fd, dst)

    /**
     * The read that waits, after [readNow] said [why] ([NOT_NOW] or [NO_DATA]): resumes with the op
     * that did it, whose [SuspendingOp.takeCount] is the bytes read, 0 if [dst] has no room, -1 at
     * end of stream. After [NO_DATA] it waits for readiness before its first attempt, as Go's
     * FD.Read does after EAGAIN: trying again at once would only cost a syscall that says EAGAIN.
     * (Waiting without [PollDesc.prepare] keeps any readiness recorded since, so none is lost.)
     */
    @PublishedApi
    internal suspend fun read(dst: ByteBuffer, why: Int): SuspendingOp =
        readOp().run(IoOp.READ, dst, null, null, waitFirst = why == NO_DATA)

    /** Returns once a read would not block; see the class comment and [Conn.awaitReadable]. */
    @PublishedApi
    internal suspend fun awaitReadable(): Unit = readOp().run(IoOp.PEEK, null, null, null)

    // ---- write ---------------------------------------------------------------------------------

    /**
     * Writes what the socket takes without waiting for the lock or for buffer space; true if
     * [src] is now empty. Otherwise the rest is left in [src] for [write].
     */
    @PublishedApi
    internal fun writeNow(src: ByteBuffer): Boolean = IoOp.writeNow(fd, src)

    /** Writes everything remaining in [src] (Go's FD.Write loop). */
    @PublishedApi
    internal suspend fun write(src: ByteBuffer): Unit = writeOp().run(IoOp.WRITE, src, null, null)

    /** Gathering write of everything remaining in [srcs]. */
    suspend fun write(srcs: Array<ByteBuffer>): Unit = writeOp().run(IoOp.WRITEV, null, srcs, null)

    // ---- accept, datagrams, connect --------------------------------------------------------------

    suspend fun accept(): Conn = readOp().run(IoOp.ACCEPT, null, null, null)

    /** One datagram into [dst]; returns its sender. */
    suspend fun recvFrom(dst: ByteBuffer): SocketAddress = readOp().run(IoOp.RECV_FROM, dst, null, null)

    /** [src] as one datagram to [to]; returns the bytes sent. */
    suspend fun sendTo(src: ByteBuffer, to: SocketAddress): Int = writeOp().run(IoOp.SEND_TO, src, null, to)

    /**
     * Connects to [remote] (Go's netFD.connect): starts a non-blocking connect, then waits for
     * write readiness until SO_ERROR reports the outcome. [deadlineNanos] (nanoTime, 0 = none)
     * bounds the wait; the socket's write deadline is cleared again on success.
     */
    suspend fun connect(remote: SocketAddress, deadlineNanos: Long) {
        if (deadlineNanos != 0L) {
            pd.setDeadline(PollDesc.MODE_WRITE, deadlineNanos)
        }
        writeOp().run<Unit>(IoOp.CONNECT, null, null, remote)
    }

    @PublishedApi
    internal companion object {
        /** [readNow]: the lock is busy; call [read]. */
        const val NOT_NOW = IoOp.NOT_NOW

        /** [readNow]: the socket had no data; call [read], which waits first. */
        const val NO_DATA = IoOp.NO_DATA

        private val READ_SPARE = AtomicReferenceFieldUpdater.newUpdater(
            SuspendingFD::class.java, SuspendingOp::class.java, "readSpare")
        private val WRITE_SPARE = AtomicReferenceFieldUpdater.newUpdater(
            SuspendingFD::class.java, SuspendingOp::class.java, "writeSpare")
    }
}
