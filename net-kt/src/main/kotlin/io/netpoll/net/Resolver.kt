package io.netpoll.net

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

/**
 * Runs a blocking name lookup without holding up the caller's dispatcher: on
 * [Dispatchers.IO], whose threads exist for blocking calls (Go runs cgo lookups on their own
 * threads for the same reason).
 */
internal object Resolver {
    suspend fun <T> offload(lookup: () -> T): T = withContext(Dispatchers.IO) { lookup() }
}
