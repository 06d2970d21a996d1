package io.netpoll.dispatcher

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.EmptyCoroutineContext

/**
 * The rule for work that reaches a closed [NetpollDispatcher] (the same one kotlinx applies to a
 * closed executor dispatcher): the coroutine's [Job] is cancelled with a
 * [DispatcherClosedException], and the task runs on [Dispatchers.IO] so the coroutine can finish
 * cancelling (its `finally` blocks and handlers run there). Tasks that were still queued when the
 * dispatcher closed run on [Dispatchers.IO] too; their coroutines are cancelled at their next
 * dispatch.
 */
internal object AfterClose {
    fun dispatch(context: CoroutineContext, task: Runnable) {
        context[Job]?.cancel(DispatcherClosedException())
        Dispatchers.IO.dispatch(context, task)
    }

    fun run(task: Runnable) {
        Dispatchers.IO.dispatch(EmptyCoroutineContext, task)
    }
}

/** The cancellation cause of coroutines that touch a closed [NetpollDispatcher]. */
class DispatcherClosedException : java.util.concurrent.CancellationException("NetpollDispatcher was closed")
