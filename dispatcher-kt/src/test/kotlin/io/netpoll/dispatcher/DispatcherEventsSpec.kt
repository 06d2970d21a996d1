package io.netpoll.dispatcher

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.collections.shouldNotBeEmpty
import io.kotest.matchers.ints.shouldBeGreaterThanOrEqual
import io.kotest.matchers.longs.shouldBeGreaterThan
import io.kotest.matchers.longs.shouldBeGreaterThanOrEqual
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldMatch
import io.kotest.matchers.string.shouldStartWith
import io.netpoll.DeadlineExceededException
import io.netpoll.poller.fd.NetFD
import io.netpoll.poller.sys.Sys
import jdk.jfr.Recording
import jdk.jfr.consumer.RecordedEvent
import jdk.jfr.consumer.RecordingFile
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import java.nio.ByteBuffer
import java.nio.file.Files
import java.nio.file.Path
import java.time.Duration
import java.util.concurrent.TimeUnit

/**
 * The dispatcher's JFR events, recorded while coroutines on a real dispatcher wait on a socket,
 * hit a read deadline and run a blocking section, then read back from the recording file.
 */
class DispatcherEventsSpec : FunSpec({
    fun record(names: List<String>, body: () -> Unit): List<RecordedEvent> {
        val file = Files.createTempFile("netpoll-dispatcher", ".jfr")
        try {
            Recording().use { r ->
                for (name in names) {
                    r.enable(name).withThreshold(Duration.ZERO).withPeriod(Duration.ofMillis(100))
                }
                r.start()
                body()
                r.stop()
                r.dump(file)
            }
            return RecordingFile.readAllEvents(file)
        } finally {
            Files.deleteIfExists(file)
        }
    }

    fun List<RecordedEvent>.named(name: String) = filter { it.eventType.name == name }

    test("a recording shows the dispatcher's polls, an expired deadline, a blocking handoff and periodic snapshots") {
        val d = NetpollDispatcher(parallelism = 2, name = "jfr")
        val (a, b) = NetFD.socketPair(Sys.SOCK_STREAM).let { it[0] to it[1] }
        val (c, e) = NetFD.socketPair(Sys.SOCK_STREAM).let { it[0] to it[1] }
        val events = try {
            record(
                listOf("io.netpoll.Poll", "io.netpoll.DeadlineExpired", "io.netpoll.BlockingHandoff", "io.netpoll.SchedulerSnapshot"),
            ) {
                runBlocking {
                    withTimeout(20_000) {
                        withContext(d) {
                            Thread {
                                Thread.sleep(100)
                                b.write(ByteBuffer.wrap("hi".toByteArray()))
                            }.start()
                            a.readSuspending(ByteBuffer.allocate(8)) shouldBe 2

                            c.setReadDeadline(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100))
                            shouldThrow<DeadlineExceededException> { c.readSuspending(ByteBuffer.allocate(8)) }

                            blocking { Thread.sleep(150) }
                        }
                    }
                }
                Thread.sleep(300) // a few more snapshots
            }
        } finally {
            d.close()
            listOf(a, b, c, e).forEach { it.close() }
        }

        // The dispatcher's threads poll: idle workers block in the poller while the reads wait, and
        // the readiness is collected by whichever poll comes first (a worker's or sysmon's).
        val polls = events.named("io.netpoll.Poll").filter { it.thread?.javaName.orEmpty().startsWith("jfr-") }
        polls.filter { it.getBoolean("blocking") && it.thread!!.javaName.startsWith("jfr-worker-") }.shouldNotBeEmpty()
        polls.filter { it.getInt("events") >= 1 }.shouldNotBeEmpty()

        val expiries = events.named("io.netpoll.DeadlineExpired").filter { it.getInt("fd") == c.fd() }
        expiries shouldHaveSize 1
        expiries[0].getString("direction") shouldBe "read"
        expiries[0].getBoolean("waiterWoken") shouldBe true
        expiries[0].thread!!.javaName shouldStartWith "jfr-"

        val handoffs = events.named("io.netpoll.BlockingHandoff").filter { it.getString("dispatcher") == "jfr" }
        handoffs shouldHaveSize 1
        handoffs[0].getInt("processor") shouldBeGreaterThanOrEqual 0
        handoffs[0].getBoolean("reacquired") shouldBe true // the other P was idle
        handoffs[0].duration.toMillis() shouldBeGreaterThanOrEqual 140L
        handoffs[0].thread!!.javaName shouldStartWith "jfr-worker-"

        val snapshots = events.named("io.netpoll.SchedulerSnapshot").filter { it.getString("dispatcher") == "jfr" }
        (snapshots.size >= 3) shouldBe true
        for (s in snapshots) {
            s.getInt("parallelism") shouldBe 2
            s.getString("localQueues") shouldMatch Regex("\\[\\d+ \\d+]")
        }
        val last = snapshots.maxBy { it.startTime }
        last.getLong("tasksRun") shouldBeGreaterThan 0L
        last.getLong("blockingHandoffs") shouldBe 1L
        last.getLong("pollEvents") shouldBeGreaterThan 0L
        last.getInt("descriptors") shouldBeGreaterThanOrEqual 4
    }

    test("a closed dispatcher records no more snapshots") {
        val d = NetpollDispatcher(parallelism = 1, name = "closed")
        d.close()
        val events = record(listOf("io.netpoll.SchedulerSnapshot")) { Thread.sleep(400) }
        events.named("io.netpoll.SchedulerSnapshot").filter { it.getString("dispatcher") == "closed" }.shouldBeEmpty()
    }
})
