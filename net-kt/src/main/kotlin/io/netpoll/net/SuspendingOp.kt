package io.netpoll.net

import io.netpoll.poller.PollDesc
import io.netpoll.poller.Waiter
import io.netpoll.poller.fd.FdMutex
import io.netpoll.poller.fd.NetFD
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.DisposableHandle
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.InternalCoroutinesApi
import kotlinx.coroutines.Job
import java.net.SocketAddress
import java.nio.ByteBuffer
import java.nio.channels.AsynchronousCloseException
import java.nio.channels.ClosedChannelException
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater
import kotlin.coroutines.Continuation
import kotlin.coroutines.ContinuationInterceptor
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.EmptyCoroutineContext
import kotlin.coroutines.intrinsics.COROUTINE_SUSPENDED
import kotlin.coroutines.intrinsics.suspendCoroutineUninterceptedOrReturn

/**
 * One coroutine's operation on one direction of a descriptor, parked without allocating (Go's
 * gopark on a pollDesc, for a coroutine): the I/O loop lock → prepare → attempt → on EAGAIN wait
 * on the PollDesc slot → attempt again, as a state machine that the caller's coroutine runs until
 * it must wait and the wake-up runs from there on.
 *
 * Why a state machine: each suspend function that suspends allocates its frame, and
 * `suspendCancellableCoroutine` allocates a continuation, a dispatch wrapper and a cancellation
 * node, about 300 bytes per wait. Here the caller suspends once, in [run], with no frame of its
 * own; the operation keeps its progress in [stage]. It is reused: [SuspendingFD] keeps one per
 * direction, and a caller that finds it taken (a second reader queueing) gets a new one. What it
 * needs to resume a coroutine is made once per coroutine and kept while the same coroutine keeps
 * calling: the dispatch wrapper of [resumeWith] (the dispatcher's own, so thread-context elements
 * are restored as for any resumption) and the cancellation watch on its [Job].
 *
 * Ownership. The low bits of [state] say who may run the loop; the high bits are a generation,
 * bumped by every [run], so a late cancellation cannot claim a later operation:
 * - RUNNING: a thread is inside [loop] (the caller's, or the dispatcher's after a wake);
 * - SUSPENDED: handed to the lock queue or the PollDesc slot, and nobody runs it;
 * - WOKEN: the wake came while the owner was still deciding to suspend: it goes on instead;
 * - CANCELLED: the job was cancelled while SUSPENDED and the canceller claimed the operation.
 * Every wait publishes the operation (lock node, slot) first and then moves RUNNING → SUSPENDED,
 * so the wake either finds SUSPENDED and resumes it, or finds RUNNING and leaves WOKEN.
 *
 * Cancellation, as `suspendCancellableCoroutine` gives it: a job cancelled while the operation is
 * suspended ends it with the job's CancellationException and takes nothing from the socket: the
 * canceller takes the operation out of the PollDesc slot ([PollDesc.cancelWait]; if the poller
 * was first, its wake finds CANCELLED and does nothing) and gives the lock back; a lock-queue node
 * cannot be removed, so the lock handed to it later is released by [wake]. A cancelled operation
 * is never reused. A wake that won the race resumes normally: the attempt runs and its bytes are
 * returned, and the cancellation is seen at the next suspension, so no data is lost.
 */
@OptIn(InternalCoroutinesApi::class)
@PublishedApi
internal class SuspendingOp(private val owner: SuspendingFD, private val read: Boolean) : Waiter(), Continuation<Any?> {
    private val fd: NetFD = owner.fd
    private val pd: PollDesc = owner.pd
    private val mode = if (read) PollDesc.MODE_READ else PollDesc.MODE_WRITE

    // The operation: written by whoever runs the loop, handed on with [state].
    private var kind = 0
    private var buf: ByteBuffer? = null
    private var bufs: Array<ByteBuffer>? = null
    private var target: SocketAddress? = null
    private var stage = START
    private var waitFirst = false
    private var holds = false
    private var node: FdMutex.Node? = null

    /** What a finished [READ] read: bytes, or -1 at end of stream ([takeCount]). */
    private var count = 0

    // Resuming the caller.
    private var caller: Continuation<Any?>? = null
    private var resumeContext: CoroutineContext? = null
    private var resumeDispatcher: CoroutineDispatcher? = null
    private var resumer: Continuation<Any?> = this
    @Volatile
    private var watched: Job? = null
    private var watch: DisposableHandle? = null

    @Volatile
    private var state = 0

    override val context: CoroutineContext
        get() = caller?.context ?: EmptyCoroutineContext

    /**
     * Runs operation [kind] to its end, suspending the caller while it waits. Resumes with the
     * operation's value: this op for [READ] (take the count with [takeCount]), the [Conn] for
     * [ACCEPT], the sender for [RECV_FROM], the bytes sent for [SEND_TO], Unit otherwise.
     */
    suspend fun <T> run(
        kind: Int,
        buf: ByteBuffer?,
        bufs: Array<ByteBuffer>?,
        target: SocketAddress?,
        waitFirst: Boolean = false,
    ): T = suspendCoroutineUninterceptedOrReturn { ucont ->
        this.kind = kind
        this.buf = buf
        this.bufs = bufs
        this.target = target
        this.waitFirst = waitFirst
        @Suppress("UNCHECKED_CAST")
        begin(ucont as Continuation<Any?>)
    }

    private fun begin(c: Continuation<Any?>): Any? {
        stage = START
        state = (state and GENERATION) + GENERATION_STEP
        caller = c
        watchJob(c.context)
        return try {
            loop()
        } catch (e: Throwable) {
            caller = null
            throw e
        }
    }

    /** The bytes a [READ] read; gives the operation back for reuse. */
    @PublishedApi
    internal fun takeCount(): Int {
        val n = count
        owner.release(this, read)
        return n
    }

    // ---- the loop ------------------------------------------------------------------------------

    /** Runs until the operation ends (its value) or waits ([COROUTINE_SUSPENDED]). Throws its error. */
    private fun loop(): Any? {
        try {
            while (true) {
                when (stage) {
                    START -> if (kind == CONNECT) {
                        fd.incref()
                        holds = true
                        if (fd.connectStart(target)) {
                            return finish(Unit)
                        }
                        // No prepare: connect's readiness may already be recorded, and no syscall
                        // follows that would observe it again (edge-triggered).
                        stage = WAIT
                    } else if (owner.mu.tryRwlock(read)) {
                        locked()
                    } else {
                        val n = FdMutex.Node(this)
                        node = n
                        stage = QUEUED
                        if (owner.mu.rwlockAsync(read, n)) {
                            node = null
                            locked()
                        } else if (n.result() == FdMutex.CLOSED_BEFORE) {
                            node = null
                            throw ClosedChannelException()
                        } else if (park()) {
                            return COROUTINE_SUSPENDED
                        }
                    }
                    QUEUED -> {
                        val r = node!!.result()
                        node = null
                        if (r != FdMutex.ACQUIRED) {
                            throw AsynchronousCloseException()
                        }
                        locked()
                    }
                    ATTEMPT -> {
                        val v = attempt()
                        if (v !== AGAIN) {
                            return finish(v)
                        }
                        stage = WAIT
                    }
                    WAIT -> {
                        val r = pd.waitFor(mode, this)
                        if (r == PollDesc.PARKED) {
                            stage = PARKED
                            if (park()) {
                                return COROUTINE_SUSPENDED
                            }
                        } else if (r != PollDesc.AGAIN) {
                            fd.check(r)
                            if (waited()) {
                                return finish(Unit)
                            }
                        }
                    }
                    PARKED -> {
                        val r = pd.resume(mode)
                        if (r == PollDesc.AGAIN) {
                            stage = WAIT
                        } else {
                            fd.check(r)
                            if (waited()) {
                                return finish(Unit)
                            }
                        }
                    }
                }
            }
        } catch (e: Throwable) {
            releaseHold()
            if (state and BITS != CANCELLED) {
                // A cancelled op may still get the wake it was published for: never reused.
                owner.release(this, read)
            }
            throw e
        }
    }

    /**
     * The lock is held: prepare, then attempt; or wait first where an attempt would only say
     * EAGAIN (the caller's own attempt just did, [waitFirst], or a short read drained the socket).
     */
    private fun locked() {
        holds = true
        if (waitFirst || ((kind == READ || kind == PEEK) && owner.skipAttempt())) {
            stage = WAIT
            return
        }
        fd.check(pd.prepare(mode))
        stage = ATTEMPT
    }

    /**
     * The descriptor became ready: true if that ends the operation ([PEEK] does not probe again,
     * see [SuspendingFD.awaitReadable]); otherwise the next step is an attempt.
     */
    private fun waited(): Boolean {
        if (kind == PEEK) {
            fd.clearReadDrained()
            return true
        }
        stage = ATTEMPT
        return false
    }

    /** One attempt: the operation's value, or [AGAIN]. */
    private fun attempt(): Any? = when (kind) {
        READ -> {
            val n = fd.tryRead(buf!!)
            if (n == NetFD.EAGAIN) AGAIN else { count = n; this }
        }
        PEEK -> if (fd.tryPeek() == NetFD.EAGAIN) AGAIN else Unit
        WRITE -> {
            val src = buf!!
            var v: Any? = Unit
            while (src.hasRemaining()) {
                if (fd.tryWrite(src) == NetFD.EAGAIN) {
                    v = AGAIN
                    break
                }
            }
            v
        }
        WRITEV -> {
            val srcs = bufs!!
            var v: Any? = Unit
            while (srcs.any { it.hasRemaining() }) {
                if (fd.tryWritev(srcs) == NetFD.EAGAIN.toLong()) {
                    v = AGAIN
                    break
                }
            }
            v
        }
        ACCEPT -> fd.tryAccept()?.let { Conn(it) } ?: AGAIN
        RECV_FROM -> fd.tryRecvFrom(buf!!) ?: AGAIN
        SEND_TO -> {
            val n = fd.trySendTo(buf!!, target)
            if (n == NetFD.EAGAIN) AGAIN else n
        }
        else -> if (fd.connectFinish()) Unit else AGAIN
    }

    private fun finish(v: Any?): Any? {
        if (kind == CONNECT) {
            pd.clearDeadline(PollDesc.MODE_WRITE)
        }
        releaseHold()
        buf = null
        bufs = null
        target = null
        if (kind != READ) {
            owner.release(this, read)
        }
        return v
    }

    private fun releaseHold() {
        if (holds) {
            holds = false
            if (kind == CONNECT) fd.decref() else owner.unlock(read)
        }
    }

    // ---- suspending and waking -----------------------------------------------------------------

    /**
     * Published to a lock queue or a slot: RUNNING → SUSPENDED, true if the caller now suspends;
     * false if the wake already came (go on). A job cancelled before this point is seen here.
     */
    private fun park(): Boolean {
        val s = state
        val gen = s and GENERATION
        if (!STATE.compareAndSet(this, gen or RUNNING, gen or SUSPENDED)) {
            state = gen or RUNNING
            return false
        }
        val job = watched
        if (job != null && job.isCancelled && STATE.compareAndSet(this, gen or SUSPENDED, gen or CANCELLED)) {
            withdraw()
            throw job.getCancellationException()
        }
        return true
    }

    /** Taken out of the lock queue or the slot (exactly once per park). */
    override fun wake() {
        while (true) {
            val s = state
            val gen = s and GENERATION
            when (s and BITS) {
                RUNNING -> if (STATE.compareAndSet(this, s, gen or WOKEN)) return
                SUSPENDED -> if (STATE.compareAndSet(this, s, gen or RUNNING)) {
                    dispatch(Result.success(CONTINUE))
                    return
                }
                else -> {
                    // CANCELLED: nobody wants what the wake brings; a lock handed over goes back.
                    if (stage == QUEUED && node!!.result() == FdMutex.ACQUIRED) {
                        owner.unlock(read)
                    }
                    return
                }
            }
        }
    }

    /** Runs the loop on the caller's dispatcher after a wake, or ends it after a cancellation. */
    override fun resumeWith(result: Result<Any?>) {
        val c = caller ?: return
        val outcome: Result<Any?> = if (result.isFailure) result else try {
            val v = loop()
            if (v === COROUTINE_SUSPENDED) {
                return
            }
            Result.success(v)
        } catch (e: Throwable) {
            Result.failure(e)
        }
        caller = null
        c.resumeWith(outcome)
    }

    /** Hands [result] to [resumeWith] on the caller's dispatcher; never runs it on the waking thread. */
    private fun dispatch(result: Result<Any?>) {
        val ctx = resumeContext!!
        val r = resumer
        val d = resumeDispatcher
        if (d != null && d.isDispatchNeeded(ctx)) {
            r.resumeWith(result)
        } else {
            // Unconfined, `immediate` or no dispatcher: the poller must not run user code.
            Dispatchers.Default.dispatch(ctx, Runnable { r.resumeWith(result) })
        }
    }

    // ---- cancellation --------------------------------------------------------------------------

    /** Watches the caller's job and keeps the dispatch wrapper for its context; new ones only on a change. */
    private fun watchJob(ctx: CoroutineContext) {
        // hot path: the same coroutine again (its context is one immutable object): nothing to look up
        if (ctx === resumeContext) {
            return
        }
        val interceptor = ctx[ContinuationInterceptor]
        resumeContext = ctx
        resumeDispatcher = interceptor as? CoroutineDispatcher
        resumer = interceptor?.interceptContinuation(this) ?: this
        val job = ctx[Job]
        if (job !== watched) {
            disposeWatch()
            watched = job
            watch = job?.invokeOnCompletion(onCancelling = true, invokeImmediately = false, JobWatch(this, job))
        }
    }

    /** Stops watching the job (the descriptor is closed, so the operation is not used again). */
    fun unwatch() {
        disposeWatch()
        resumeContext = null
    }

    private fun disposeWatch() {
        watched = null
        watch?.dispose()
        watch = null
    }

    /** The watched job is being cancelled: claim the operation if it is suspended for that job. */
    private fun cancelled(job: Job) {
        val s = state
        if (s and BITS != SUSPENDED || watched !== job) {
            return
        }
        if (STATE.compareAndSet(this, s, (s and GENERATION) or CANCELLED)) {
            withdraw()
            dispatch(Result.failure(job.getCancellationException()))
        }
    }

    /** Claimed from SUSPENDED by a cancellation: take the operation out of its slot and give back the lock. */
    private fun withdraw() {
        if (stage == PARKED) {
            pd.cancelWait(mode, this)
            releaseHold()
        }
        // QUEUED: the node stays queued; the lock handed to it later goes back in wake().
    }

    private class JobWatch(private val op: SuspendingOp, private val job: Job) : (Throwable?) -> Unit {
        override fun invoke(cause: Throwable?) {
            op.cancelled(job)
        }
    }

    companion object {
        const val READ = 0
        const val PEEK = 1
        const val ACCEPT = 2
        const val RECV_FROM = 3
        const val WRITE = 4
        const val WRITEV = 5
        const val SEND_TO = 6
        const val CONNECT = 7

        private const val START = 0
        private const val QUEUED = 1
        private const val ATTEMPT = 2
        private const val WAIT = 3
        private const val PARKED = 4

        private const val RUNNING = 0
        private const val SUSPENDED = 1
        private const val WOKEN = 2
        private const val CANCELLED = 3
        private const val BITS = 3
        private const val GENERATION = BITS.inv()
        private const val GENERATION_STEP = 4

        private val AGAIN = Any()
        private val CONTINUE = Any()
        private val STATE: AtomicIntegerFieldUpdater<SuspendingOp> =
            AtomicIntegerFieldUpdater.newUpdater(SuspendingOp::class.java, "state")
    }
}
