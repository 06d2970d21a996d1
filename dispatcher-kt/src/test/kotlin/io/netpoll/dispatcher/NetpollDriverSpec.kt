package io.netpoll.dispatcher

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.ints.shouldBeGreaterThanOrEqual
import io.kotest.matchers.longs.shouldBeGreaterThan
import io.kotest.matchers.longs.shouldBeGreaterThanOrEqual
import io.kotest.matchers.longs.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldStartWith
import io.netpoll.DeadlineExceededException
import io.netpoll.poller.Netpoll
import io.netpoll.poller.fd.NetFD
import io.netpoll.poller.sys.Sys
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import java.nio.ByteBuffer
import java.util.concurrent.TimeUnit

/**
 * Runs in its own JVM (surefire forks per spec class), so nothing else has touched the
 * process-wide Netpoll: if its fallback driver thread exists, this dispatcher failed to drive it.
 */
class NetpollDriverSpec : FunSpec({
    val d = NetpollDispatcher(parallelism = 2, name = "driver")
    afterSpec { d.close() }

    test("a socket read completes on this dispatcher with no fallback driver thread") {
        val (a, b) = NetFD.socketPair(Sys.SOCK_STREAM).let { it[0] to it[1] }
        try {
            val writer = Thread {
                Thread.sleep(100)
                b.write(ByteBuffer.wrap("hello".toByteArray()))
            }.apply { start() }
            val (text, thread) = runBlocking {
                withTimeout(10_000) {
                    withContext(d) {
                        val buf = ByteBuffer.allocate(16)
                        val n = a.readSuspending(buf)
                        String(buf.array(), 0, n) to Thread.currentThread().name
                    }
                }
            }
            writer.join()
            text shouldBe "hello"
            thread shouldStartWith "driver-worker-"
            Netpoll.get().driverThread() shouldBe null
            Netpoll.get().stats().drivers shouldBeGreaterThanOrEqual 1
            (d.stats().pollWaits + d.stats().pollEvents) shouldBeGreaterThan 0L
        } finally {
            a.close()
            b.close()
        }
    }

    test("a socket read deadline fires from the dispatcher's poller") {
        val (a, b) = NetFD.socketPair(Sys.SOCK_STREAM).let { it[0] to it[1] }
        try {
            a.setReadDeadline(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100))
            val start = System.nanoTime()
            shouldThrow<DeadlineExceededException> {
                runBlocking { withTimeout(10_000) { withContext(d) { a.readSuspending(ByteBuffer.allocate(16)) } } }
            }
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) shouldBeGreaterThanOrEqual 100L
            a.clearReadDeadline()
            Netpoll.get().driverThread() shouldBe null
        } finally {
            a.close()
            b.close()
        }
    }

    test("a plain thread blocked on a socket is served by the dispatcher's poller") {
        val (a, b) = NetFD.socketPair(Sys.SOCK_STREAM).let { it[0] to it[1] }
        try {
            Thread {
                Thread.sleep(100)
                b.write(ByteBuffer.wrap("java".toByteArray()))
            }.start()
            val buf = ByteBuffer.allocate(16)
            val n = a.read(buf)
            String(buf.array(), 0, n) shouldBe "java"
            Netpoll.get().driverThread() shouldBe null
        } finally {
            a.close()
            b.close()
        }
    }

    test("with nobody waiting the dispatcher does not block in the poller, so edges nobody waits for wake nobody") {
        val (a, b) = NetFD.socketPair(Sys.SOCK_STREAM).let { it[0] to it[1] }
        try {
            Thread.sleep(200) // the workers settle: nothing runs, nothing waits
            Netpoll.get().waiters() shouldBe 0
            val before = Netpoll.get().stats().blockingPolls
            val one = ByteBuffer.allocate(1)
            repeat(200) {
                b.write(one.clear()) // a read edge on a each time; nobody reads a
                Thread.sleep(1)
            }
            val polls = Netpoll.get().stats().blockingPolls - before
            println("NetpollDriverSpec: 200 edges nobody waited for cost $polls blocking polls")
            polls shouldBeLessThan 20L
        } finally {
            a.close()
            b.close()
        }
    }

    test("a plain thread that parks while the dispatcher is idle is served at once, not at sysmon's next tick") {
        val (a, b) = NetFD.socketPair(Sys.SOCK_STREAM).let { it[0] to it[1] }
        try {
            // Nobody waits until the reader below parks: the dispatcher has stopped polling, and
            // the park must bring a worker back to the poller before the byte arrives.
            val trips = 40
            val sentAt = java.util.concurrent.atomic.AtomicLongArray(trips)
            val writer = Thread {
                val one = ByteBuffer.allocate(1)
                for (i in 0 until trips) {
                    Thread.sleep(10)
                    sentAt.set(i, System.nanoTime())
                    b.write(one.clear())
                }
            }.apply { start() }
            val buf = ByteBuffer.allocate(1)
            val micros = LongArray(trips) { i ->
                a.read(buf.clear()) shouldBe 1
                (System.nanoTime() - sentAt.get(i)) / 1000
            }
            writer.join()
            micros.sort()
            println("NetpollDriverSpec: $trips blocking reads woken a median ${micros[trips / 2]} µs after their byte was sent (max ${micros[trips - 1]} µs)")
            micros[trips / 2] shouldBeLessThan 2_000L
            Netpoll.get().driverThread() shouldBe null
        } finally {
            a.close()
            b.close()
        }
    }
})
