package io.netpoll.dispatcher

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.longs.shouldBeGreaterThan
import io.kotest.matchers.longs.shouldBeGreaterThanOrEqual
import io.kotest.matchers.shouldBe
import io.netpoll.DeadlineExceededException
import io.netpoll.poller.fd.NetFD
import io.netpoll.poller.sys.Sys
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import java.nio.ByteBuffer
import java.util.concurrent.TimeUnit

class MetricsSpec : FunSpec({
    test("a metrics snapshot counts the tasks run, the waits, the expired deadlines and the blocking handoffs") {
        NetpollDispatcher(parallelism = 2, name = "metered").use { d ->
            val (a, b) = NetFD.socketPair(Sys.SOCK_STREAM).let { it[0] to it[1] }
            try {
                val before = d.metrics()
                before.dispatcher shouldBe "metered"
                runBlocking {
                    withTimeout(20_000) {
                        withContext(d) {
                            repeat(100) { launch { } }
                            Thread {
                                Thread.sleep(50)
                                b.write(ByteBuffer.wrap(byteArrayOf(1)))
                            }.start()
                            a.readSuspending(ByteBuffer.allocate(1)) shouldBe 1
                            a.setReadDeadline(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50))
                            shouldThrow<DeadlineExceededException> { a.readSuspending(ByteBuffer.allocate(1)) }
                            blocking { }
                            blocking { }
                        }
                    }
                }
                val after = d.metrics()
                (after.scheduler.tasksRun - before.scheduler.tasksRun) shouldBeGreaterThanOrEqual 100L
                (after.scheduler.blockingHandoffs - before.scheduler.blockingHandoffs) shouldBe 2L
                (after.poller.parks - before.poller.parks) shouldBeGreaterThanOrEqual 2L
                (after.poller.deadlinesExpired - before.poller.deadlinesExpired) shouldBeGreaterThanOrEqual 1L
                (after.poller.events - before.poller.events) shouldBeGreaterThan 0L
                after.scheduler.parallelism shouldBe 2
                after.poller.waiters shouldBe 0
            } finally {
                a.close()
                b.close()
            }
        }
    }
})
