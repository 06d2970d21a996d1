package io.netpoll.dispatcher

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldStartWith
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.async
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import java.io.IOException
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit

class BlockingSectionSpec : FunSpec({
    test("with parallelism 1 other coroutines run while one sits in a blocking section") {
        NetpollDispatcher(parallelism = 1, name = "handoff").use { d ->
            val released = CountDownLatch(1)
            val inSection = CompletableDeferred<Unit>()
            val result = runBlocking {
                withTimeout(20_000) {
                    withContext(d) {
                        val blocked = async {
                            blocking {
                                inSection.complete(Unit)
                                // Only another coroutine on this single-P dispatcher can release it.
                                released.await(10, TimeUnit.SECONDS)
                            }
                        }
                        launch {
                            inSection.await()
                            d.stats().blockingSections shouldBe 1
                            released.countDown()
                        }
                        blocked.await()
                    }
                }
            }
            result shouldBe true
            d.stats().blockingSections shouldBe 0
        }
    }

    test("a coroutine whose P was taken resumes on the dispatcher after its blocking section") {
        NetpollDispatcher(parallelism = 1, name = "exitsyscall").use { d ->
            val busyStarted = CountDownLatch(1)
            val busyMayEnd = CountDownLatch(1)
            val requeued = java.util.concurrent.atomic.AtomicBoolean()
            val (value, thread) = runBlocking {
                withTimeout(20_000) {
                    withContext(d) {
                        val blocked = async {
                            val v = blocking {
                                // Launched from a worker without a P: it goes to the global queue
                                // and runs on the P this section handed off.
                                launch {
                                    busyStarted.countDown()
                                    // Hold the only P until the blocked coroutine had to queue for it.
                                    while (d.stats().globalQueue == 0 && busyMayEnd.count > 0) {
                                        Thread.onSpinWait()
                                    }
                                    requeued.set(busyMayEnd.count > 0)
                                }
                                busyStarted.await(10, TimeUnit.SECONDS)
                                42
                            }
                            busyMayEnd.countDown()
                            v to Thread.currentThread().name
                        }
                        blocked.await()
                    }
                }
            }
            value shouldBe 42
            requeued.get() shouldBe true
            thread shouldStartWith "exitsyscall-worker-"
        }
    }

    test("a blocking section returns its value and rethrows its exception") {
        NetpollDispatcher(parallelism = 2, name = "blocking-result").use { d ->
            runBlocking(d) { blocking { "ok" } } shouldBe "ok"
            shouldThrow<IOException> { runBlocking(d) { blocking { throw IOException("disk") } } }.message shouldBe "disk"
        }
    }

    test("outside the dispatcher a blocking section simply runs") {
        runBlocking {
            val caller = Thread.currentThread()
            blocking { Thread.currentThread() } shouldBe caller
        }
    }
})
