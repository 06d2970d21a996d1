package io.netpoll.net

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldHaveSize
import io.kotest.matchers.longs.shouldBeGreaterThanOrEqual
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldStartWith
import io.netpoll.DeadlineExceededException
import io.netpoll.dispatcher.NetpollDispatcher
import jdk.jfr.Recording
import jdk.jfr.consumer.RecordedEvent
import jdk.jfr.consumer.RecordingFile
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import java.nio.ByteBuffer
import java.nio.file.Files
import java.time.Duration
import java.time.Instant

/**
 * JFR's view of connections used from coroutines: each suspended read is one `io.netpoll.IoWait`
 * recorded on the worker the coroutine resumed on, a write that waits for buffer space is one
 * too, and a read deadline shows as `io.netpoll.DeadlineExpired` and a wait that ended by it.
 */
class ConnEventsSpec : FunSpec({
    test("suspended reads and writes and an expired read deadline are recorded with their descriptors") {
        val file = Files.createTempFile("netpoll-net", ".jfr")
        var client = -1
        var server = -1
        NetpollDispatcher(parallelism = 2, name = "jfrnet").use { d ->
            Recording().use { r ->
                r.enable("io.netpoll.IoWait").withThreshold(Duration.ZERO)
                r.enable("io.netpoll.DeadlineExpired")
                r.start()
                runBlocking(d) {
                    net(d) {
                        val (ln, c, s) = tcpPair()
                        client = c.fd.fd()
                        server = s.fd.fd()
                        launch {
                            delay(100)
                            s.write(bytes("hello"))
                        }
                        val buf = ByteBuffer.allocate(16)
                        c.read(buf) shouldBe 5

                        c.setReadDeadline(Instant.now().plusMillis(100))
                        shouldThrow<DeadlineExceededException> { c.read(buf.clear()) }
                        fillUntilBlocked(s) // a write that waits for room, until its deadline
                        listOf(ln, c, s).forEach { it.close() }
                    }
                }
                r.stop()
                r.dump(file)
            }
        }
        val events = RecordingFile.readAllEvents(file)
        Files.delete(file)
        fun named(name: String, fd: Int) = events.filter { it.eventType.name == name && it.getInt("fd") == fd }
        fun List<RecordedEvent>.with(key: String, value: String) = filter { it.getString(key) == value }

        val reads = named("io.netpoll.IoWait", client).with("direction", "read")
        val ready = reads.with("outcome", "ready").filter { it.duration.toMillis() >= 80 }
        ready.shouldHaveSize(1) // the read that waited ~100 ms for "hello"
        ready[0].getString("operation") shouldBe "read"
        ready[0].thread!!.javaName shouldStartWith "jfrnet-worker-"
        val timedOut = reads.with("outcome", "deadline")
        timedOut shouldHaveSize 1
        timedOut[0].duration.toMillis() shouldBeGreaterThanOrEqual 1L

        named("io.netpoll.IoWait", server).with("direction", "write").with("outcome", "deadline") shouldHaveSize 1
        named("io.netpoll.DeadlineExpired", client).with("direction", "read") shouldHaveSize 1
    }
})
