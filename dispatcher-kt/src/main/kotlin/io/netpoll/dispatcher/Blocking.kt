package io.netpoll.dispatcher

import io.netpoll.dispatcher.jfr.BlockingHandoffEvent
import io.netpoll.dispatcher.jfr.DispatcherEvents
import kotlin.coroutines.intrinsics.COROUTINE_SUSPENDED
import kotlin.coroutines.intrinsics.intercepted
import kotlin.coroutines.intrinsics.suspendCoroutineUninterceptedOrReturn

/**
 * Runs [block], which may block its thread (file I/O, JDBC, `Thread.sleep`, a lock), without
 * holding up other coroutines (Go's entersyscallblock / exitsyscall).
 *
 * On a [NetpollDispatcher] worker the P is handed to another worker before [block] starts, so
 * the other coroutines keep running even with `parallelism = 1`. Afterwards the worker takes its
 * old P back if it is idle, or any idle P; if every P is busy the coroutine suspends, is queued
 * on the global run queue, and resumes on whichever worker picks it up, while this thread parks.
 * Anywhere else (another dispatcher, a plain thread) [block] simply runs.
 *
 * [block]'s result is returned and its exception rethrown; cancellation is not checked while it
 * runs (a blocking call cannot be interrupted safely from here).
 */
suspend fun <T> blocking(block: () -> T): T {
    val w = Thread.currentThread() as? Worker
    if (w == null || w.p == null) {
        return block()
    }
    val s = w.scheduler
    val handedOff = w.p!!.id
    val event = if (DispatcherEvents.blockingHandoff()) BlockingHandoffEvent.start() else null
    s.enterBlocking(w)
    val result = runCatching(block)
    val reacquired = s.exitBlocking(w)
    event?.finish(s.name, handedOff, reacquired)
    if (!reacquired) {
        requeue()
    }
    return result.getOrThrow()
}

/**
 * Go's exitsyscall0: no P was free, so the coroutine goes through the dispatcher again (from a
 * worker without a P that means the global queue) and this thread returns to its worker loop.
 */
private suspend fun requeue() {
    suspendCoroutineUninterceptedOrReturn<Unit> { uCont ->
        uCont.intercepted().resumeWith(Result.success(Unit))
        COROUTINE_SUSPENDED
    }
}
