package io.netpoll.net

import io.netpoll.poller.Waiter
import kotlinx.coroutines.CancellableContinuation
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.suspendCancellableCoroutine
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater
import kotlin.coroutines.ContinuationInterceptor
import kotlin.coroutines.resume

/**
 * A [Waiter] that resumes one suspended coroutine (net-kt's half of Go's netpollblock /
 * netpollgoready).
 *
 * Whoever takes the waiter out of its slot or lock queue — the poller, a deadline timer, a closer,
 * an unlocker — calls [wake] exactly once per [arm]. [wake] only resumes the continuation, which
 * dispatches the coroutine on its own dispatcher: the waking thread never runs the coroutine
 * (Go's injectglist). A dispatcher that would run it in place (`Dispatchers.Unconfined`, an
 * `immediate` one) or no dispatcher at all gets the resumption handed to [Dispatchers.Default]
 * instead, so user code never runs on the poller.
 *
 * The waiter is published (in a PollDesc slot or an fdMutex queue) before its owner suspends, so
 * the wake may come first. The state therefore moves either
 * `ARMED → WOKEN` (wake first: [await] returns at once) or
 * `ARMED → continuation → WOKEN` (owner first: [wake] resumes it), and for an owner that was
 * cancelled while queued for a lock `continuation → ABANDONED`, after which [wake] calls
 * [abandonedWake] instead of resuming.
 *
 * One owner at a time: the coroutine that holds the descriptor's read (or write) lock, or the one
 * coroutine queued with this waiter's lock node.
 */
internal open class CoroutineWaiter : Waiter() {
    @Volatile
    @JvmField
    var state: Any? = null

    /** Ready for the next park; only when no wake is pending. */
    fun arm() {
        state = null
    }

    override fun wake() {
        val prev = STATE.getAndSet(this, WOKEN)
        if (prev === ABANDONED) {
            abandonedWake()
        } else if (prev is CancellableContinuation<*>) {
            @Suppress("UNCHECKED_CAST")
            val c = prev as CancellableContinuation<Unit>
            val d = c.context[ContinuationInterceptor] as? CoroutineDispatcher
            if (d != null && d.isDispatchNeeded(c.context)) {
                c.resume(Unit)
            } else {
                Dispatchers.Default.dispatch(c.context, Runnable { c.resume(Unit) })
            }
        }
    }

    /** The wake of an owner that gave up ([abandon]); runs on the waking thread. */
    protected open fun abandonedWake() {}

    /** Suspends until [wake] (returns at once if it already came); throws if cancelled. */
    suspend fun await() {
        if (state === WOKEN) {
            return
        }
        suspendCancellableCoroutine { c ->
            if (!STATE.compareAndSet(this, null, c)) {
                c.resume(Unit)
            }
        }
    }

    /**
     * A cancelled owner gives up: true if the wake has not come yet (it will call [abandonedWake]),
     * false if it already came.
     */
    fun abandon(): Boolean {
        while (true) {
            val s = state
            if (s === WOKEN) {
                return false
            }
            if (STATE.compareAndSet(this, s, ABANDONED)) {
                return true
            }
        }
    }

    private companion object {
        val WOKEN = Any()
        val ABANDONED = Any()
        val STATE: AtomicReferenceFieldUpdater<CoroutineWaiter, Any> =
            AtomicReferenceFieldUpdater.newUpdater(CoroutineWaiter::class.java, Any::class.java, "state")
    }
}
