package io.netpoll.net

import io.netpoll.poller.PollDesc
import io.netpoll.poller.fd.FdMutex
import io.netpoll.poller.fd.NetFD
import kotlinx.coroutines.CancellationException
import java.net.SocketAddress
import java.nio.ByteBuffer
import java.nio.channels.AsynchronousCloseException
import java.nio.channels.ClosedChannelException
import java.util.concurrent.atomic.AtomicReference

/**
 * [NetFD]'s I/O loop as suspend functions (Go's poll.FD.Read/Write/Accept with the goroutine park
 * replaced by a coroutine suspension).
 *
 * Every operation is: take the direction's lock in the descriptor's fdMutex → [PollDesc.prepare]
 * → try the syscall → on EAGAIN [awaitReady] → try again (a read right after a short read waits
 * first, see [skipAttempt]). The fdMutex is the same one NetFD's
 * blocking and CompletableFuture calls take, so coroutine, blocking-thread and future callers of
 * one descriptor are serialised together, and `close` waits for all of them before the fd number
 * is released.
 *
 * Invariants:
 * - Only the holder of a direction's lock parks that direction's [CoroutineWaiter], so a PollDesc
 *   slot never sees two waiters ("double wait").
 * - A cancelled wait takes its waiter back with [PollDesc.cancelWait]; if the wake is already in
 *   flight the waiter is retired and replaced, so the stale wake can never resume a later call.
 * - A cancelled lock wait abandons its [LockWaiter]; the lock handed to it later is released by
 *   the waker.
 * - Hot path: [readNow] / [writeNow] are the whole operation when it needs no suspension (lock
 *   free, data or buffer space ready): plain functions returning primitives, so a call that
 *   completes at once allocates nothing — not even the Int box a suspend function's result needs.
 *   [Conn.read] and [Conn.write] inline them at the call site and fall back to the suspending
 *   [read] / [write] only when they report [NOT_NOW]. A call that suspends pays for its frame and
 *   kotlinx's continuation. HotPathSpec measures this.
 * - [awaitReadable] is the read loop with a MSG_PEEK probe in place of the read (Go's
 *   rawConn.Read(f) with an f that reads nothing): same lock, same prepare, same wait, so it
 *   queues with reads and fails like a read. Like a read it skips the probe after a short read
 *   ([skipAttempt]); after waiting it clears [NetFD.readDrained], since it consumed the readiness
 *   without reading and the next read must try. It returns Unit, so it needs no inline fast path: when
 *   it does not suspend, its only suspend call is a tail call and no frame is allocated.
 */
@PublishedApi
internal class SuspendingFD(@JvmField val fd: NetFD) {
    @JvmField
    internal val pd: PollDesc = fd.pollDesc()
    private val mu: FdMutex = fd.mutex()
    @Volatile
    private var readWaiter = CoroutineWaiter()
    @Volatile
    private var writeWaiter = CoroutineWaiter()
    private val readSpare = AtomicReference<LockWaiter?>()
    private val writeSpare = AtomicReference<LockWaiter?>()

    // ---- locking -------------------------------------------------------------------------------

    /**
     * Takes the read or write lock without suspending (null), or queues for it and returns the
     * queued waiter to [awaitLock] on. Throws [ClosedChannelException] after close.
     */
    internal fun lockOrQueue(read: Boolean): LockWaiter? {
        val spare = if (read) readSpare else writeSpare
        val w = spare.getAndSet(null) ?: LockWaiter(fd, read)
        if (mu.rwlockAsync(read, w.node)) {
            spare.set(w)
            return null
        }
        if (w.node.result() == FdMutex.CLOSED_BEFORE) {
            throw ClosedChannelException()
        }
        return w
    }

    /** Suspends until the queued lock is handed over; [AsynchronousCloseException] if closed first. */
    internal suspend fun awaitLock(w: LockWaiter) {
        try {
            w.await()
        } catch (e: CancellationException) {
            if (!w.abandon()) {
                w.releaseIfHeld()
            }
            throw e
        }
        if (w.node.result() != FdMutex.ACQUIRED) {
            throw AsynchronousCloseException()
        }
    }

    internal fun unlock(read: Boolean) {
        if (read) fd.readUnlock() else fd.writeUnlock()
    }

    // ---- waiting for readiness -----------------------------------------------------------------

    /**
     * After EAGAIN, with the direction's lock held: suspends until the descriptor is ready for
     * [mode] (Go's pollDesc.wait), or throws the deadline / close error.
     */
    internal suspend fun awaitReady(mode: Int) {
        while (true) {
            val w = if (mode == PollDesc.MODE_READ) readWaiter else writeWaiter
            w.arm()
            var r = pd.waitFor(mode, w)
            if (r == PollDesc.PARKED) {
                try {
                    w.await()
                } catch (e: CancellationException) {
                    if (!pd.cancelWait(mode, w)) {
                        retire(mode)
                    }
                    throw e
                }
                r = pd.resume(mode)
            }
            if (r != PollDesc.AGAIN) {
                fd.check(r)
                return
            }
        }
    }

    private fun retire(mode: Int) {
        if (mode == PollDesc.MODE_READ) readWaiter = CoroutineWaiter() else writeWaiter = CoroutineWaiter()
    }

    // ---- generic operation -----------------------------------------------------------------------

    /** lock → prepare → [attempt] until it gives a value (null = EAGAIN) → unlock. */
    internal suspend inline fun <T : Any> locked(read: Boolean, attempt: () -> T?): T {
        val mode = if (read) PollDesc.MODE_READ else PollDesc.MODE_WRITE
        val w = lockOrQueue(read)
        if (w != null) {
            awaitLock(w)
        }
        try {
            fd.check(pd.prepare(mode))
            while (true) {
                val v = attempt()
                if (v != null) {
                    return v
                }
                awaitReady(mode)
            }
        } finally {
            unlock(read)
        }
    }

    // ---- read ----------------------------------------------------------------------------------

    /**
     * The read, if it completes without waiting for the lock or for data: bytes read, 0 if [dst]
     * has no room, -1 at end of stream; otherwise [NOT_NOW] with nothing consumed.
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
        return if (n == NetFD.EAGAIN) NOT_NOW else n
    }

    /**
     * After a short read (the socket gave all it had, [NetFD.readDrained]), with no readiness
     * recorded since and no hang-up seen (the peer's FIN or a reset gives no later edge), a read
     * attempt would only return EAGAIN: wait first. Read lock held.
     */
    private fun skipAttempt(): Boolean =
        fd.readDrained() && !pd.isReady(PollDesc.MODE_READ) && !pd.hungUp()

    /**
     * A skipped attempt for a caller that will not wait: it still fails as the read would (deadline
     * passed, closed), and leaves any readiness recorded meanwhile for the next read.
     */
    private fun skipped(): Int {
        fd.check(pd.checkErr(PollDesc.MODE_READ))
        return NetFD.EAGAIN
    }

    /** Bytes read into [dst], 0 if it has no room, -1 at end of stream. */
    @PublishedApi
    internal suspend fun read(dst: ByteBuffer): Int {
        // hot path: no allocation of its own unless it suspends (see the class comment)
        val w = lockOrQueue(true)
        if (w == null) {
            val n: Int
            try {
                n = if (!dst.hasRemaining()) 0 else if (skipAttempt()) NetFD.EAGAIN else readAttempt(dst)
            } catch (e: Throwable) {
                unlock(true)
                throw e
            }
            if (n != NetFD.EAGAIN) {
                unlock(true)
                return n
            }
        }
        return readSlow(dst, w)
    }

    private fun readAttempt(dst: ByteBuffer): Int {
        fd.check(pd.prepare(PollDesc.MODE_READ))
        return fd.tryRead(dst)
    }

    /** [read] after EAGAIN (lock held, [queued] null) or after queueing for the lock. */
    private suspend fun readSlow(dst: ByteBuffer, queued: LockWaiter?): Int {
        if (queued != null) {
            awaitLock(queued)
        }
        try {
            if (queued != null) {
                if (!dst.hasRemaining()) {
                    return 0
                }
                val n = readAttempt(dst)
                if (n != NetFD.EAGAIN) {
                    return n
                }
            }
            while (true) {
                awaitReady(PollDesc.MODE_READ)
                val n = fd.tryRead(dst)
                if (n != NetFD.EAGAIN) {
                    return n
                }
            }
        } finally {
            unlock(true)
        }
    }

    // ---- readiness without reading ---------------------------------------------------------------

    /**
     * Returns once a read would not block: the probe found data or end of stream (a pending socket
     * error is thrown), or, after it found none, the poller reported the socket readable. That
     * report is not probed again: it is an edge seen after the probe, so data arrived (the rare
     * exception is an edge the previous read already drained, delivered late; the caller's next
     * read then simply finds nothing). Probing again would cost every wake a syscall.
     */
    @PublishedApi
    internal suspend fun awaitReadable() {
        // hot path: no allocation unless it suspends
        val w = lockOrQueue(true)
        if (w == null) {
            val r: Int
            try {
                r = if (skipAttempt()) NetFD.EAGAIN else peekAttempt()
            } catch (e: Throwable) {
                unlock(true)
                throw e
            }
            if (r != NetFD.EAGAIN) {
                unlock(true)
                return
            }
        }
        return awaitReadableSlow(w)
    }

    private fun peekAttempt(): Int {
        fd.check(pd.prepare(PollDesc.MODE_READ))
        return fd.tryPeek()
    }

    /** [awaitReadable] after the probe said EAGAIN (lock held, [queued] null) or after queueing. */
    private suspend fun awaitReadableSlow(queued: LockWaiter?) {
        if (queued != null) {
            awaitLock(queued)
        }
        try {
            if (queued == null || peekAttempt() == NetFD.EAGAIN) {
                awaitReady(PollDesc.MODE_READ)
                fd.clearReadDrained()
            }
        } finally {
            unlock(true)
        }
    }

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

    /** Writes everything remaining in [src] (Go's FD.Write loop); returns the byte count. */
    @PublishedApi
    internal suspend fun write(src: ByteBuffer): Int {
        // hot path: no allocation of its own unless it suspends (see the class comment)
        val w = lockOrQueue(false)
        if (w == null) {
            val total = src.remaining()
            try {
                fd.check(pd.prepare(PollDesc.MODE_WRITE))
                while (src.hasRemaining()) {
                    if (fd.tryWrite(src) == NetFD.EAGAIN) {
                        break
                    }
                }
            } catch (e: Throwable) {
                unlock(false)
                throw e
            }
            if (!src.hasRemaining()) {
                unlock(false)
                return total
            }
            return writeSlow(src, null, total)
        }
        return writeSlow(src, w, src.remaining())
    }

    private suspend fun writeSlow(src: ByteBuffer, queued: LockWaiter?, total: Int): Int {
        if (queued != null) {
            awaitLock(queued)
        }
        try {
            if (queued != null) {
                fd.check(pd.prepare(PollDesc.MODE_WRITE))
            }
            while (src.hasRemaining()) {
                if (fd.tryWrite(src) == NetFD.EAGAIN) {
                    awaitReady(PollDesc.MODE_WRITE)
                }
            }
            return total
        } finally {
            unlock(false)
        }
    }

    /** Gathering write of everything remaining in [srcs]. */
    suspend fun write(srcs: Array<out ByteBuffer>): Long {
        @Suppress("UNCHECKED_CAST")
        val bufs = srcs as Array<ByteBuffer>
        var total = 0L
        for (b in bufs) {
            total += b.remaining()
        }
        locked(false) {
            while (bufs.any { it.hasRemaining() }) {
                if (fd.tryWritev(bufs) == NetFD.EAGAIN.toLong()) {
                    return@locked null
                }
            }
            Unit
        }
        return total
    }

    // ---- accept, datagrams, connect --------------------------------------------------------------

    suspend fun accept(): NetFD = locked(true) { fd.tryAccept() }

    /** One datagram into [dst]; returns its sender. */
    suspend fun recvFrom(dst: ByteBuffer): SocketAddress = locked(true) { fd.tryRecvFrom(dst) }

    /** [src] as one datagram to [to]; returns the bytes sent. */
    suspend fun sendTo(src: ByteBuffer, to: SocketAddress): Int = locked(false) {
        val n = fd.trySendTo(src, to)
        if (n == NetFD.EAGAIN) null else n
    }

    /**
     * Connects to [remote] (Go's netFD.connect): starts a non-blocking connect, then waits for
     * write readiness until SO_ERROR reports the outcome. [deadlineNanos] (nanoTime, 0 = none)
     * bounds the wait; the socket's write deadline is cleared again on success.
     */
    suspend fun connect(remote: SocketAddress, deadlineNanos: Long) {
        fd.incref()
        try {
            if (deadlineNanos != 0L) {
                pd.setDeadline(PollDesc.MODE_WRITE, deadlineNanos)
            }
            if (!fd.connectStart(remote)) {
                // No prepare here: connect's readiness may already be recorded, and no syscall
                // follows that would observe it again (edge-triggered).
                do {
                    awaitReady(PollDesc.MODE_WRITE)
                } while (!fd.connectFinish())
            }
            pd.clearDeadline(PollDesc.MODE_WRITE)
        } finally {
            fd.decref()
        }
    }

    @PublishedApi
    internal companion object {
        /** [readNow]: the read needs to wait (lock busy or no data); call [read]. */
        const val NOT_NOW = Int.MIN_VALUE
    }
}
