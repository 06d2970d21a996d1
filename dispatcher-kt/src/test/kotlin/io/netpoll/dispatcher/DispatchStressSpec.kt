package io.netpoll.dispatcher

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.longs.shouldBeGreaterThan
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicIntegerArray
import java.util.concurrent.atomic.AtomicInteger

class DispatchStressSpec : FunSpec({
    test("a million tasks from inside and outside the pool each run exactly once, with stealing") {
        val outsideThreads = 2
        val outsidePerThread = 250_000
        val insideRoots = 1_000
        val insidePerRoot = 500
        val total = outsideThreads * outsidePerThread + insideRoots * insidePerRoot
        val runs = AtomicIntegerArray(total)
        val done = CountDownLatch(total)
        val d = NetpollDispatcher(parallelism = 2, name = "stress")
        try {
            val started = System.nanoTime()
            val producers = (0 until outsideThreads).map { t ->
                Thread {
                    for (i in 0 until outsidePerThread) {
                        val id = t * outsidePerThread + i
                        d.dispatch(kotlin.coroutines.EmptyCoroutineContext, Runnable { runs.incrementAndGet(id); done.countDown() })
                    }
                }.apply { start() }
            }
            val base = outsideThreads * outsidePerThread
            for (r in 0 until insideRoots) {
                d.dispatch(kotlin.coroutines.EmptyCoroutineContext, Runnable {
                    // From a worker: every task goes through runnext and the local queue, and
                    // 500 of them overflow 256 slots, so overflow and stealing both happen.
                    for (i in 0 until insidePerRoot) {
                        val id = base + r * insidePerRoot + i
                        d.dispatch(kotlin.coroutines.EmptyCoroutineContext, Runnable { runs.incrementAndGet(id); done.countDown() })
                    }
                })
            }
            producers.forEach { it.join() }
            val finished = done.await(60, TimeUnit.SECONDS)
            val elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)
            val stats = d.stats()
            println("stress: $total tasks (${outsideThreads * outsidePerThread} outside, ${insideRoots * insidePerRoot} inside) in $elapsedMs ms; $stats")
            finished shouldBe true
            var lost = 0
            var duplicated = 0
            for (i in 0 until total) {
                when (runs.get(i)) {
                    0 -> lost++
                    1 -> {}
                    else -> duplicated++
                }
            }
            lost shouldBe 0
            duplicated shouldBe 0
            stats.steals shouldBeGreaterThan 0L
        } finally {
            d.close()
        }
    }

    test("a million coroutines launched in a tree all complete") {
        val d = NetpollDispatcher(parallelism = 2, name = "tree")
        try {
            val count = AtomicInteger()
            val started = System.nanoTime()
            runBlocking {
                withTimeout(60_000) {
                    val all = CompletableDeferred<Unit>()
                    launch(d) {
                        repeat(1_000) {
                            launch {
                                repeat(1_000) { launch { if (count.incrementAndGet() == 1_000_000) all.complete(Unit) } }
                            }
                        }
                    }
                    all.await()
                }
            }
            println("tree: ${count.get()} coroutines in ${TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)} ms; ${d.stats()}")
            count.get() shouldBe 1_000_000
        } finally {
            d.close()
        }
    }
})
