package io.netpoll.dispatcher

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.ints.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldStartWith
import io.kotest.matchers.types.shouldBeInstanceOf
import io.kotest.matchers.types.shouldBeSameInstanceAs
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineExceptionHandler
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import kotlin.coroutines.EmptyCoroutineContext

class CloseSpec : FunSpec({
    test("close stops every worker, the poller and sysmon: no thread survives") {
        val d = NetpollDispatcher(parallelism = 2, name = "closing")
        runBlocking {
            withContext(d) {
                repeat(1_000) { launch { delay(1) } }
                launch { blocking { Thread.sleep(20) } }
            }
        }
        val threads = d.threads()
        threads.size shouldBeGreaterThan 2
        d.close()
        threads.filter { it.isAlive }.shouldBeEmpty()
        Thread.getAllStackTraces().keys.filter { it.name.startsWith("closing-") && it.isAlive }.shouldBeEmpty()
        d.isClosed shouldBe true
        d.close()
    }

    test("a coroutine resumed after close is cancelled and finishes on Dispatchers.IO") {
        val d = NetpollDispatcher(parallelism = 1, name = "after-close")
        val gate = CompletableDeferred<Unit>()
        val suspended = CountDownLatch(1)
        val finallyThread = CompletableDeferred<String>()
        val job = CoroutineScope(Job()).launch(d) {
            try {
                suspended.countDown()
                gate.await()
                delay(60_000)
            } finally {
                finallyThread.complete(Thread.currentThread().name)
            }
        }
        suspended.await(10, TimeUnit.SECONDS) shouldBe true
        d.close()
        gate.complete(Unit)
        runBlocking { withTimeout(10_000) { job.join() } }
        job.isCancelled shouldBe true
        runBlocking { withTimeout(10_000) { finallyThread.await() } } shouldStartWith "DefaultDispatcher-worker-"
    }

    test("a coroutine started on a closed dispatcher is cancelled with DispatcherClosedException") {
        val d = NetpollDispatcher(parallelism = 1, name = "closed-start")
        d.close()
        val ran = java.util.concurrent.atomic.AtomicBoolean()
        shouldThrow<DispatcherClosedException> { runBlocking { withTimeout(10_000) { withContext(d) { ran.set(true) } } } }
        ran.get() shouldBe false
    }

    test("a coroutine suspended in delay when the dispatcher closes is cancelled") {
        val d = NetpollDispatcher(parallelism = 1, name = "close-delay")
        val started = CountDownLatch(1)
        val job = CoroutineScope(Job()).launch(d) {
            started.countDown()
            delay(60_000)
        }
        started.await(10, TimeUnit.SECONDS)
        Thread.sleep(20)
        d.close()
        runBlocking { withTimeout(10_000) { job.join() } }
        job.isCancelled shouldBe true
    }

    test("close from inside one of its own coroutines does not deadlock") {
        val d = NetpollDispatcher(parallelism = 2, name = "self-close")
        val closed = CountDownLatch(1)
        d.dispatch(EmptyCoroutineContext, Runnable {
            d.close()
            closed.countDown()
        })
        closed.await(10, TimeUnit.SECONDS) shouldBe true
        // The closing worker exits once its task returns.
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
        while (d.threads().any { it.isAlive } && System.nanoTime() < deadline) {
            Thread.sleep(5)
        }
        d.threads().filter { it.isAlive }.shouldBeEmpty()
    }

    test("an uncaught coroutine exception reaches the CoroutineExceptionHandler") {
        NetpollDispatcher(parallelism = 2, name = "handler").use { d ->
            val caught = CompletableDeferred<Pair<Throwable, String>>()
            val handler = CoroutineExceptionHandler { _, e -> caught.complete(e to Thread.currentThread().name) }
            CoroutineScope(SupervisorJob() + d + handler).launch { throw IllegalStateException("boom") }
            val (e, thread) = runBlocking { withTimeout(10_000) { caught.await() } }
            e.shouldBeInstanceOf<IllegalStateException>()
            e.message shouldBe "boom"
            thread shouldStartWith "handler-worker-"
        }
    }

    test("a plain task that throws goes to the thread's handler and the worker carries on") {
        NetpollDispatcher(parallelism = 1, name = "runnable-throws").use { d ->
            val seen = CompletableDeferred<Throwable>()
            val previous = Thread.getDefaultUncaughtExceptionHandler()
            Thread.setDefaultUncaughtExceptionHandler { _, e -> seen.complete(e) }
            try {
                val after = CountDownLatch(1)
                d.dispatch(EmptyCoroutineContext, Runnable { throw UnsupportedOperationException("task") })
                d.dispatch(EmptyCoroutineContext, Runnable { after.countDown() })
                after.await(10, TimeUnit.SECONDS) shouldBe true
                runBlocking { withTimeout(10_000) { seen.await() } }.shouldBeInstanceOf<UnsupportedOperationException>()
            } finally {
                Thread.setDefaultUncaughtExceptionHandler(previous)
            }
        }
    }

    test("Dispatchers.Netpoll is one shared dispatcher that cannot be closed") {
        Dispatchers.Netpoll shouldBeSameInstanceAs Dispatchers.Netpoll
        runBlocking(Dispatchers.Netpoll) { Thread.currentThread().name } shouldStartWith "netpoll-shared-worker-"
        shouldThrow<UnsupportedOperationException> { Dispatchers.Netpoll.close() }
        Dispatchers.Netpoll.threads().all { it.isDaemon } shouldBe true
    }
})
