package io.netpoll.dispatcher

import kotlinx.coroutines.Dispatchers

/**
 * The shared [NetpollDispatcher]: `parallelism` = available processors, created on first use,
 * daemon threads, never closed ([NetpollDispatcher.close] throws on it).
 */
val Dispatchers.Netpoll: NetpollDispatcher
    get() = SharedNetpoll.dispatcher

private object SharedNetpoll {
    val dispatcher = NetpollDispatcher(name = "netpoll-shared").also { it.shared = true }
}
