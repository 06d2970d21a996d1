package io.netpoll.dispatcher

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.ints.shouldBeLessThan
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.yield
import java.util.Collections
import java.util.concurrent.TimeUnit
import kotlin.coroutines.EmptyCoroutineContext

@OptIn(ExperimentalCoroutinesApi::class)
class FairnessSpec : FunSpec({
    test("a runnext ping-pong pair does not starve a task queued behind it") {
        NetpollDispatcher(parallelism = 1, name = "pingpong").use { d ->
            val maxTasks = 10_000_000
            var tasks = 0
            var queuedAt = -1
            val thirdRanAt = CompletableDeferred<Int>()
            val third = Runnable { thirdRanAt.complete(tasks) }
            // Two tasks that dispatch each other from the worker: each lands in runnext.
            val pair = arrayOfNulls<Runnable>(2)
            for (i in 0..1) {
                pair[i] = Runnable {
                    tasks++
                    if (tasks == 100) {
                        queuedAt = tasks
                        d.dispatchYield(EmptyCoroutineContext, third) // the local queue's tail
                    }
                    if (!thirdRanAt.isCompleted && tasks < maxTasks) {
                        d.dispatch(EmptyCoroutineContext, pair[1 - i]!!)
                    }
                }
            }
            d.dispatch(EmptyCoroutineContext, pair[0]!!)
            val ranAt = runBlocking { withTimeout(30_000) { thirdRanAt.await() } }
            println("ping-pong: task queued behind the pair at task $queuedAt ran at task $ranAt")
            (ranAt - queuedAt) shouldBeLessThan 1_000
        }
    }

    test("a global-queue task runs while local tasks keep coming") {
        NetpollDispatcher(parallelism = 1, name = "global-fair").use { d ->
            val globalRan = CompletableDeferred<Long>()
            var localTasks = 0L
            val limit = 50_000_000L
            val localStarted = CompletableDeferred<Unit>()
            // A task that re-dispatches itself from the worker: the local queue is never empty.
            val self = object : Runnable {
                override fun run() {
                    localTasks++
                    localStarted.complete(Unit)
                    if (!globalRan.isCompleted && localTasks < limit) {
                        d.dispatch(EmptyCoroutineContext, this)
                    }
                }
            }
            d.dispatch(EmptyCoroutineContext, self)
            runBlocking { localStarted.await() }
            d.dispatch(EmptyCoroutineContext, Runnable { globalRan.complete(localTasks) })
            val at = runBlocking { withTimeout(30_000) { globalRan.await() } }
            println("global fairness: the outside task ran after $at local tasks")
            (at < limit) shouldBe true
        }
    }

    test("yield lets the other coroutines run") {
        NetpollDispatcher(parallelism = 1, name = "yield").use { d ->
            val log = Collections.synchronizedList(ArrayList<String>())
            runBlocking {
                withTimeout(10_000) {
                    withContext(d) {
                        launch { repeat(5) { log.add("a"); yield() } }
                        launch { repeat(5) { log.add("b"); yield() } }
                    }
                }
            }
            println("yield order: $log")
            log.size shouldBe 10
            for (i in 1 until log.size) {
                (log[i] != log[i - 1]) shouldBe true
            }
        }
    }

    test("sysmon wakes a thief for a task stuck behind a long-running task") {
        NetpollDispatcher(parallelism = 2, name = "long-task").use { d ->
            val spinLimitNanos = TimeUnit.SECONDS.toNanos(5)
            val (stuckRanOn, spunMs) = runBlocking {
                withTimeout(30_000) {
                    withContext(d) {
                        val ranOn = CompletableDeferred<String>()
                        // Let the other worker settle (park, or block in the poller) first.
                        val settle = System.nanoTime()
                        while (d.stats().let { it.spinningThreads > 0 || it.idleProcs < 1 } &&
                            System.nanoTime() - settle < spinLimitNanos
                        ) {
                            Thread.sleep(1)
                        }
                        Thread.sleep(20)
                        // Fills this P's empty runnext: no wakeup at dispatch time.
                        launch { ranOn.complete(Thread.currentThread().name) }
                        val spinner = Thread.currentThread().name
                        val start = System.nanoTime()
                        while (!ranOn.isCompleted && System.nanoTime() - start < spinLimitNanos) {
                            Thread.onSpinWait()
                        }
                        val spun = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
                        (if (ranOn.isCompleted) ranOn.getCompleted() else "nobody, spinner $spinner") to spun
                    }
                }
            }
            val stats = d.stats()
            println("long task: the queued task ran on $stuckRanOn after $spunMs ms; longTaskWakeups=${stats.longTaskWakeups}")
            stuckRanOn.startsWith("long-task-worker-") shouldBe true
            (spunMs < 5_000) shouldBe true
            (stats.longTaskWakeups > 0) shouldBe true
        }
    }

    test("limitedParallelism views run on this dispatcher's workers, one at a time") {
        NetpollDispatcher(parallelism = 2, name = "limited").use { d ->
            val view = d.limitedParallelism(1)
            val running = java.util.concurrent.atomic.AtomicInteger()
            val maxRunning = java.util.concurrent.atomic.AtomicInteger()
            val threads = Collections.synchronizedSet(HashSet<String>())
            runBlocking {
                withTimeout(30_000) {
                    List(1_000) {
                        launch(view) {
                            val now = running.incrementAndGet()
                            maxRunning.accumulateAndGet(now, ::maxOf)
                            threads += Thread.currentThread().name.substringBefore(" @")
                            running.decrementAndGet()
                        }
                    }.forEach { it.join() }
                }
            }
            maxRunning.get() shouldBe 1
            threads.all { it.startsWith("limited-worker-") } shouldBe true
        }
    }
})
