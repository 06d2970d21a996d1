package io.netpoll.dispatcher

import io.netpoll.poller.Timer
import kotlinx.coroutines.CancellableContinuation
import kotlinx.coroutines.DisposableHandle
import kotlinx.coroutines.ExperimentalCoroutinesApi

/**
 * A timer in a P's [TimerQueue] that, when due, becomes an ordinary task: [fire] runs on the
 * worker draining the heap and only queues this timer on that worker's P (at the tail, so timers
 * due together run in due order); the action itself runs later as a task ([run]).
 *
 * Cancellation removes the timer from its heap (Go's deltimer). A cancel that loses the race
 * with [fire] is caught by the action itself: a cancelled continuation ignores the resume, a
 * disposed timeout skips its block.
 */
internal abstract class SchedTimer(private val scheduler: Scheduler) : Timer(), Runnable {
    /** The heap this timer was last armed in; written under that heap's lock. */
    @Volatile
    var queue: TimerQueue? = null

    public override fun fire(nowNanos: Long) {
        scheduler.readyTimer(this)
    }

    /** Close only: the dispatcher stopped before this timer was due. */
    abstract fun abandon()

    fun cancel() {
        queue?.remove(this)
    }
}

/** Go's timer behind time.Sleep: resumes a `delay` continuation. */
internal class ResumeTimer(
    scheduler: Scheduler,
    private val dispatcher: NetpollDispatcher,
    private val continuation: CancellableContinuation<Unit>,
) : SchedTimer(scheduler), (Throwable?) -> Unit {
    @OptIn(ExperimentalCoroutinesApi::class)
    override fun run() {
        with(continuation) { dispatcher.resumeUndispatched(Unit) }
    }

    /** The continuation's cancellation handler. */
    override fun invoke(cause: Throwable?) {
        cancel()
    }

    override fun abandon() {
        continuation.cancel(DispatcherClosedException())
    }
}

/** A `withTimeout` / `invokeOnTimeout` action. */
internal class TimeoutTimer(scheduler: Scheduler, private val block: Runnable) :
    SchedTimer(scheduler), DisposableHandle {
    @Volatile
    private var disposed = false

    override fun run() {
        if (!disposed) {
            block.run()
        }
    }

    override fun dispose() {
        disposed = true
        cancel()
    }

    override fun abandon() {
        disposed = true
    }
}
