package io.netpoll.docs

import io.netpoll.dispatcher.NetpollDispatcher
import io.netpoll.dispatcher.Netpoll          // the Dispatchers.Netpoll extension property
import io.netpoll.dispatcher.blocking
import kotlinx.coroutines.*
import java.nio.file.Files
import java.nio.file.Path

// The shared instance: parallelism = available processors, daemon threads, never closed.
suspend fun handle(path: Path): Int = withContext(Dispatchers.Netpoll) {
    val bytes = blocking { Files.readAllBytes(path) }    // hands this worker's P on while it blocks
    bytes.size
}

// Your own instance; close() stops its threads.
fun ownDispatcher() = NetpollDispatcher(parallelism = 4, name = "api").use { d ->
    runBlocking(d) {
        val results = List(10_000) { i -> async { delay(10); i } }.awaitAll()
        println(results.sum())                           // 49995000
        println(d.stats())                               // SchedStats(...)
    }
}
