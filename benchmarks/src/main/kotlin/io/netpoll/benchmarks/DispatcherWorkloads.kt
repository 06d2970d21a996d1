package io.netpoll.benchmarks

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import java.util.concurrent.atomic.AtomicLong

/**
 * The scheduler workloads of issue 3, each run to completion on [dispatcher] from a blocking
 * caller (the JMH thread) and returning a value JMH consumes.
 */
object DispatcherWorkloads {
    /** skynet: a tree of [size] coroutines, ten children each, summing their ordinals. */
    @JvmStatic
    fun skynet(dispatcher: CoroutineDispatcher, size: Long): Long = runBlocking {
        withContext(dispatcher) { skynetNode(0, size, 10) }
    }

    private suspend fun skynetNode(num: Long, size: Long, div: Long): Long {
        if (size == 1L) {
            return num
        }
        return coroutineScope {
            val step = size / div
            (0 until div).map { i -> async { skynetNode(num + i * step, step, div) } }.awaitAll().sum()
        }
    }

    /** Two coroutines exchange [messages] messages over rendezvous channels. */
    @JvmStatic
    fun pingPong(dispatcher: CoroutineDispatcher, messages: Int): Int = runBlocking {
        withContext(dispatcher) {
            val ping = Channel<Int>()
            val pong = Channel<Int>()
            launch {
                for (x in ping) {
                    pong.send(x + 1)
                }
            }
            var last = 0
            repeat(messages) {
                ping.send(it)
                last = pong.receive()
            }
            ping.close()
            last
        }
    }

    /** Launches [tasks] small coroutines and waits for all of them. */
    @JvmStatic
    fun fanOutFanIn(dispatcher: CoroutineDispatcher, tasks: Int): Long = runBlocking {
        val sum = AtomicLong()
        withContext(dispatcher) {
            repeat(tasks) { i -> launch { sum.addAndGet(i.toLong()) } }
        }
        sum.get()
    }

    /** [coroutines] coroutines each `delay(1)`. */
    @JvmStatic
    fun delayStorm(dispatcher: CoroutineDispatcher, coroutines: Int): Long = runBlocking {
        val done = AtomicLong()
        withContext(dispatcher) {
            repeat(coroutines) { launch { delay(1); done.incrementAndGet() } }
        }
        done.get()
    }
}
