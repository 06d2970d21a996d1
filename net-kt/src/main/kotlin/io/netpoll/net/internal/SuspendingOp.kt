package io.netpoll.net.internal

import io.netpoll.net.Conn
import io.netpoll.poller.fd.IoOp
import java.net.SocketAddress
import java.nio.ByteBuffer
import kotlin.coroutines.Continuation
import kotlin.coroutines.ContinuationInterceptor
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.EmptyCoroutineContext
import kotlin.coroutines.intrinsics.COROUTINE_SUSPENDED
import kotlin.coroutines.intrinsics.suspendCoroutineUninterceptedOrReturn
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.DisposableHandle
import kotlinx.coroutines.InternalCoroutinesApi
import kotlinx.coroutines.Job

/**
 * poller-java's I/O loop ([IoOp]) for a coroutine: where the loop must wait, the caller suspends,
 * and the wake resumes it on its own dispatcher (Go's gopark on a pollDesc, for a coroutine).
 *
 * Why no `suspendCancellableCoroutine`: each suspend function that suspends allocates its frame,
 * and `suspendCancellableCoroutine` allocates a continuation, a dispatch wrapper and a cancellation
 * node, about 300 bytes per wait. Here the caller suspends once, in [run], with no frame of its
 * own, and the loop keeps its progress in the op. The op is reused: [SuspendingFD] keeps one per
 * direction, and a caller that finds it taken (a second reader queueing) gets a new one. What it
 * needs to resume a coroutine is made once per coroutine and kept while the same coroutine keeps
 * calling: the dispatch wrapper of [resumeWith] (the dispatcher's own, so thread-context elements
 * are restored as for any resumption) and the cancellation watch on its [Job].
 *
 * Cancellation, as `suspendCancellableCoroutine` gives it, without its loss of a result: a job
 * cancelled while the operation waits (or while its wake is on the way to the dispatcher) claims
 * it ([IoOp.withdraw]) and resumes the caller with the job's CancellationException; the loop asks
 * [wantsOut] before every attempt, so a cancelled coroutine never takes bytes it will not return.
 * An attempt already under way finishes, and its result is returned. A withdrawn op is never
 * reused: a lock-queue wake may still reach it.
 */
@OptIn(InternalCoroutinesApi::class)
@PublishedApi
internal class SuspendingOp(private val owner: SuspendingFD, private val read: Boolean) : IoOp(), Continuation<Any?> {
    private var caller: Continuation<Any?>? = null
    private var resumeContext: CoroutineContext? = null
    private var resumeDispatcher: CoroutineDispatcher? = null
    private var resumer: Continuation<Any?> = this
    @Volatile
    private var watched: Job? = null
    private var watch: DisposableHandle? = null

    override val context: CoroutineContext
        get() = caller?.context ?: EmptyCoroutineContext

    /**
     * Runs operation [kind] (an [IoOp] kind) to its end, suspending the caller while it waits.
     * Resumes with the operation's value: this op for [IoOp.READ] (take the count with
     * [takeCount]), the [Conn] for [IoOp.ACCEPT], the sender for [IoOp.RECV_FROM], the bytes sent
     * for [IoOp.SEND_TO], Unit otherwise.
     */
    suspend fun <T> run(
        kind: Int,
        buf: ByteBuffer?,
        bufs: Array<ByteBuffer>?,
        target: SocketAddress?,
        waitFirst: Boolean = false,
    ): T = suspendCoroutineUninterceptedOrReturn { ucont ->
        @Suppress("UNCHECKED_CAST")
        val c = ucont as Continuation<Any?>
        caller = c
        watchJob(c.context)
        val r = try {
            start(owner.fd, kind, buf, bufs, target, waitFirst)
        } catch (e: Throwable) {
            caller = null
            owner.release(this, read)
            throw e
        }
        if (r == PARKED) COROUTINE_SUSPENDED else {
            caller = null
            outcome(r)
        }
    }

    /** The bytes a [IoOp.READ] read; gives the operation back for reuse. */
    @PublishedApi
    internal fun takeCount(): Int {
        val n = count().toInt()
        owner.release(this, read)
        return n
    }

    /** The value of a finished operation (the op is given back, except after a read: [takeCount]). */
    private fun outcome(r: Int): Any? {
        if (r == WITHDRAWN) {
            throw watched!!.getCancellationException()
        }
        val v: Any? = when (kind()) {
            READ -> return this
            ACCEPT -> Conn.of(value() as io.netpoll.poller.fd.NetFD)
            RECV_FROM -> value()
            SEND_TO -> count().toInt()
            else -> Unit
        }
        owner.release(this, read)
        return v
    }

    override fun handBack() {
        dispatch(Result.success(CONTINUE))
    }

    override fun wantsOut(): Boolean = watched?.isCancelled == true

    /** Runs the loop on the caller's dispatcher after a wake, or ends it after a cancellation. */
    override fun resumeWith(result: Result<Any?>) {
        val c = caller ?: return
        val outcome: Result<Any?> = if (result.isFailure) result else {
            val r = try {
                proceed()
            } catch (e: Throwable) {
                owner.release(this, read)
                caller = null
                c.resumeWith(Result.failure(e))
                return
            }
            when (r) {
                PARKED -> return
                CLAIMED -> Result.failure(watched!!.getCancellationException()) // a claimed op keeps its job
                else -> runCatching { outcome(r) }
            }
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

    /**
     * The watched job is being cancelled: claim the operation if it waits for that job's coroutine.
     * Claimed while it waited, the caller is resumed from here; claimed after its wake was
     * dispatched, that resumption ends the call (one dispatch in flight per op: the dispatch
     * wrapper holds one result at a time).
     */
    private fun cancelled(job: Job) {
        // The state first: an op that a later coroutine has taken (and suspended) watches that
        // coroutine's job before it publishes, so this snapshot cannot claim it for this one.
        val seen = snapshot()
        if (watched === job && withdraw(seen) == WITHDRAWN) {
            dispatch(Result.failure(job.getCancellationException()))
        }
    }

    private class JobWatch(private val op: SuspendingOp, private val job: Job) : (Throwable?) -> Unit {
        override fun invoke(cause: Throwable?) {
            op.cancelled(job)
        }
    }

    private companion object {
        private val CONTINUE = Any()
    }
}
