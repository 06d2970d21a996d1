package io.netpoll.net

import io.netpoll.dispatcher.NetpollDispatcher
import io.netpoll.dispatcher.blocking
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import kotlin.coroutines.ContinuationInterceptor
import kotlin.coroutines.coroutineContext

/**
 * Runs a blocking name lookup without holding up the caller's dispatcher (the JDK resolver has
 * no asynchronous form; Go runs cgo lookups on their own threads for the same reason).
 *
 * On a [NetpollDispatcher] the lookup runs in a [blocking] section: the worker hands its P to
 * another worker and the lookup stays on the calling thread (Go's entersyscallblock). Anywhere
 * else it moves to [Dispatchers.IO], whose threads exist for blocking calls.
 */
internal object Resolver {
    suspend fun <T> offload(lookup: () -> T): T =
        if (coroutineContext[ContinuationInterceptor] is NetpollDispatcher) blocking(lookup)
        else withContext(Dispatchers.IO) { lookup() }
}
