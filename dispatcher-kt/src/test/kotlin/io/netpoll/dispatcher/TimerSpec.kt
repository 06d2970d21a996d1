package io.netpoll.dispatcher

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.longs.shouldBeGreaterThanOrEqual
import io.kotest.matchers.longs.shouldBeLessThan
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.delay
import kotlinx.coroutines.joinAll
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import java.util.Collections
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import kotlin.coroutines.EmptyCoroutineContext

class TimerSpec : FunSpec({
    test("timers fire in due order and never early") {
        NetpollDispatcher(parallelism = 1, name = "timers").use { d ->
            val delays = listOf(70L, 10L, 50L, 30L, 90L, 20L, 80L, 40L, 60L, 100L, 5L, 1L)
            // (due time, delay) in the order the coroutines resumed
            val fired = Collections.synchronizedList(ArrayList<Pair<Long, Long>>())
            val early = Collections.synchronizedList(ArrayList<String>())
            runBlocking {
                withTimeout(10_000) {
                    withContext(d) {
                        delays.map { ms ->
                            launch {
                                val start = System.nanoTime()
                                val due = start + TimeUnit.MILLISECONDS.toNanos(ms)
                                delay(ms)
                                val now = System.nanoTime()
                                if (now - due < 0) {
                                    early += "delay($ms) resumed ${due - now}ns early"
                                }
                                fired += due to ms
                            }
                        }.joinAll()
                    }
                }
            }
            println("timer order (delay ms, by resumption): ${fired.map { it.second }}")
            early shouldBe emptyList()
            fired.size shouldBe delays.size
            // One P: one heap, drained in due order onto one queue.
            fired.map { it.first } shouldBe fired.map { it.first }.sorted()
        }
    }

    test("timers armed from a foreign thread fire on the dispatcher, in order, not early") {
        NetpollDispatcher(parallelism = 1, name = "foreign-timers").use { d ->
            val fired = Collections.synchronizedList(ArrayList<Long>())
            val early = Collections.synchronizedList(ArrayList<Long>())
            val threads = Collections.synchronizedSet(HashSet<String>())
            val start = System.nanoTime()
            val delays = listOf(60L, 20L, 40L)
            for (ms in delays) {
                d.invokeOnTimeout(ms, Runnable {
                    if (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(ms)) {
                        early += ms
                    }
                    threads += Thread.currentThread().name
                    fired += ms
                }, EmptyCoroutineContext)
            }
            val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
            while (fired.size < delays.size && System.nanoTime() < deadline) {
                Thread.sleep(5)
            }
            fired shouldBe delays.sorted()
            early shouldBe emptyList()
            threads.all { it.startsWith("foreign-timers-worker-") } shouldBe true
        }
    }

    test("cancelled delays and disposed timeouts never fire and leave no armed timer") {
        NetpollDispatcher(parallelism = 2, name = "cancel-timers").use { d ->
            val fired = AtomicInteger()
            runBlocking {
                val jobs = List(200) { launch(d) { delay(100); fired.incrementAndGet() } }
                val handles = List(200) { d.invokeOnTimeout(100, Runnable { fired.incrementAndGet() }, EmptyCoroutineContext) }
                val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
                while (d.stats().timers < 400 && System.nanoTime() < deadline) {
                    delay(5)
                }
                d.stats().timers shouldBe 400
                jobs.forEach { it.cancel() }
                handles.forEach { it.dispose() }
                jobs.joinAll()
                d.stats().timers shouldBe 0
                delay(250)
            }
            fired.get() shouldBe 0
        }
    }

    test("withTimeout ends a long delay at its deadline") {
        NetpollDispatcher(parallelism = 2, name = "with-timeout").use { d ->
            val start = System.nanoTime()
            shouldThrow<TimeoutCancellationException> {
                runBlocking(d) { withTimeout(50) { delay(10_000) } }
            }
            val elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
            elapsedMs shouldBeGreaterThanOrEqual 50L
            elapsedMs shouldBeLessThan 5_000L
        }
    }

    test("a hundred thousand concurrent delays all complete") {
        NetpollDispatcher(parallelism = 2, name = "delay-storm").use { d ->
            val done = AtomicInteger()
            val start = System.nanoTime()
            runBlocking {
                withTimeout(30_000) {
                    withContext(d) {
                        repeat(100_000) { launch { delay(1); done.incrementAndGet() } }
                    }
                }
            }
            println("delay storm: 100000 x delay(1) in ${TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)} ms; ${d.stats()}")
            done.get() shouldBe 100_000
            d.stats().timers shouldBe 0
        }
    }
})
