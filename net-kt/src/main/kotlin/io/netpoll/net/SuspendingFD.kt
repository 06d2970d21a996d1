package io.netpoll.net

import io.netpoll.poller.PollDesc
import io.netpoll.poller.fd.FdMutex
import io.netpoll.poller.fd.NetFD
import java.net.SocketAddress
import java.nio.ByteBuffer
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater

/**
 * [NetFD]'s I/O loop as suspend functions (Go's poll.FD.Read/Write/Accept with the goroutine park
 * replaced by a coroutine suspension).
 *
 * Every operation is: take the direction's lock in the descriptor's fdMutex → [PollDesc.prepare]
 * → try the syscall → on EAGAIN wait on the PollDesc slot → try again (a read right after a short
 * read waits first, see [skipAttempt]). The fdMutex is the same one NetFD's blocking and
 * CompletableFuture calls take, so coroutine, blocking-thread and future callers of one descriptor
 * are serialised together, and `close` waits for all of them before the fd number is released.
 *
 * Two halves:
 * - [readNow] / [writeNow] are the whole operation when it needs no suspension (lock free, data or
 *   buffer space ready): plain functions returning primitives, so a call that completes at once
 *   allocates nothing — not even the Int box a suspend function's result needs. [Conn.read] and
 *   [Conn.write] inline them at the call site. HotPathSpec measures this.
 * - Otherwise the operation runs as a [SuspendingOp]: the caller suspends once, in a tail call, and
 *   the op's state machine carries it through the lock queue and the PollDesc slot. One op per
 *   direction is kept and reused ([readOp], [release]), so a wait allocates nothing either
 *   (SuspendedAllocationSpec, SuspendedRoundTripBenchmark). A read resumes with the op, not an
 *   Int, and the inlined caller takes the count from it ([SuspendingOp.takeCount]): no box.
 *
 * [awaitReadable] is the read loop with a MSG_PEEK probe in place of the read (Go's rawConn.Read(f)
 * with an f that reads nothing): same lock, same prepare, same wait, so it queues with reads and
 * fails like a read. Like a read it skips the probe after a short read ([skipAttempt]); after
 * waiting it clears [NetFD.readDrained], since it consumed the readiness without reading and the
 * next read must try.
 */
@PublishedApi
internal class SuspendingFD(@JvmField val fd: NetFD) {
    @JvmField
    internal val pd: PollDesc = fd.pollDesc()
    internal val mu: FdMutex = fd.mutex()
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

    internal fun unlock(read: Boolean) {
        if (read) fd.readUnlock() else fd.writeUnlock()
    }

    // ---- read ----------------------------------------------------------------------------------

    /**
     * The read, if it completes without waiting for the lock or for data: bytes read, 0 if [dst]
     * has no room, -1 at end of stream; otherwise, with nothing consumed, [NOT_NOW] (the lock is
     * busy) or [NO_DATA] (the socket had nothing: the read that follows waits before it tries).
     */
    @PublishedApi
    internal fun readNow(dst: ByteBuffer): Int {
        // hot path: no allocation
        if (!mu.tryRwlock(true)) {
            return NOT_NOW
        }
        val n = try {
            if (!dst.hasRemaining()) 0 else if (skipAttempt()) skipped() else readAttempt(dst)
        } finally {
            unlock(true)
        }
        return if (n == NetFD.EAGAIN) NO_DATA else n
    }

    /**
     * After a short read (the socket gave all it had, [NetFD.readDrained]), with no readiness
     * recorded since and no hang-up seen (the peer's FIN or a reset gives no later edge), a read
     * attempt would only return EAGAIN: wait first. Read lock held.
     */
    internal fun skipAttempt(): Boolean =
        fd.readDrained() && !pd.isReady(PollDesc.MODE_READ) && !pd.hungUp()

    /**
     * A skipped attempt for a caller that will not wait: it still fails as the read would (deadline
     * passed, closed), and leaves any readiness recorded meanwhile for the next read.
     */
    private fun skipped(): Int {
        fd.check(pd.checkErr(PollDesc.MODE_READ))
        return NetFD.EAGAIN
    }

    private fun readAttempt(dst: ByteBuffer): Int {
        fd.check(pd.prepare(PollDesc.MODE_READ))
        return fd.tryRead(dst)
    }

    /**
     * The read that waits, after [readNow] said [why] ([NOT_NOW] or [NO_DATA]): resumes with the op
     * that did it, whose [SuspendingOp.takeCount] is the bytes read, 0 if [dst] has no room, -1 at
     * end of stream. After [NO_DATA] it waits for readiness before its first attempt, as Go's
     * FD.Read does after EAGAIN: trying again at once would only cost a syscall that says EAGAIN.
     * (Waiting without [PollDesc.prepare] keeps any readiness recorded since, so none is lost.)
     */
    @PublishedApi
    internal suspend fun read(dst: ByteBuffer, why: Int): SuspendingOp =
        readOp().run(SuspendingOp.READ, dst, null, null, waitFirst = why == NO_DATA)

    /** Returns once a read would not block; see the class comment and [Conn.awaitReadable]. */
    @PublishedApi
    internal suspend fun awaitReadable(): Unit = readOp().run(SuspendingOp.PEEK, null, null, null)

    // ---- write ---------------------------------------------------------------------------------

    /**
     * Writes what the socket takes without waiting for the lock or for buffer space; true if
     * [src] is now empty. Otherwise the rest is left in [src] for [write].
     */
    @PublishedApi
    internal fun writeNow(src: ByteBuffer): Boolean {
        // hot path: no allocation
        if (!mu.tryRwlock(false)) {
            return false
        }
        try {
            fd.check(pd.prepare(PollDesc.MODE_WRITE))
            while (src.hasRemaining()) {
                if (fd.tryWrite(src) == NetFD.EAGAIN) {
                    return false
                }
            }
            return true
        } finally {
            unlock(false)
        }
    }

    /** Writes everything remaining in [src] (Go's FD.Write loop). */
    @PublishedApi
    internal suspend fun write(src: ByteBuffer): Unit = writeOp().run(SuspendingOp.WRITE, src, null, null)

    /** Gathering write of everything remaining in [srcs]. */
    suspend fun write(srcs: Array<ByteBuffer>): Unit = writeOp().run(SuspendingOp.WRITEV, null, srcs, null)

    // ---- accept, datagrams, connect --------------------------------------------------------------

    suspend fun accept(): Conn = readOp().run(SuspendingOp.ACCEPT, null, null, null)

    /** One datagram into [dst]; returns its sender. */
    suspend fun recvFrom(dst: ByteBuffer): SocketAddress = readOp().run(SuspendingOp.RECV_FROM, dst, null, null)

    /** [src] as one datagram to [to]; returns the bytes sent. */
    suspend fun sendTo(src: ByteBuffer, to: SocketAddress): Int = writeOp().run(SuspendingOp.SEND_TO, src, null, to)

    /**
     * Connects to [remote] (Go's netFD.connect): starts a non-blocking connect, then waits for
     * write readiness until SO_ERROR reports the outcome. [deadlineNanos] (nanoTime, 0 = none)
     * bounds the wait; the socket's write deadline is cleared again on success.
     */
    suspend fun connect(remote: SocketAddress, deadlineNanos: Long) {
        if (deadlineNanos != 0L) {
            pd.setDeadline(PollDesc.MODE_WRITE, deadlineNanos)
        }
        writeOp().run<Unit>(SuspendingOp.CONNECT, null, null, remote)
    }

    @PublishedApi
    internal companion object {
        /** [readNow]: the lock is busy; call [read]. */
        const val NOT_NOW = Int.MIN_VALUE

        /** [readNow]: the socket had no data; call [read], which waits first. */
        const val NO_DATA = Int.MIN_VALUE + 1

        private val READ_SPARE = AtomicReferenceFieldUpdater.newUpdater(
            SuspendingFD::class.java, SuspendingOp::class.java, "readSpare")
        private val WRITE_SPARE = AtomicReferenceFieldUpdater.newUpdater(
            SuspendingFD::class.java, SuspendingOp::class.java, "writeSpare")
    }
}
