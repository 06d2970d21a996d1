package io.netpoll.net

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.comparables.shouldBeGreaterThanOrEqualTo
import io.kotest.matchers.comparables.shouldBeLessThan
import io.kotest.matchers.ints.shouldBeLessThanOrEqual
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import io.netpoll.DeadlineExceededException
import io.netpoll.net.internal.Deadlines
import io.netpoll.poller.Netpoll
import java.net.SocketTimeoutException
import java.nio.ByteBuffer
import java.time.Instant
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeoutOrNull

/** Go's net/timeout_test.go, as far as it concerns deadlines on one socket. */
class DeadlineSpec : FunSpec({
    test("a deadline in the past fails read and write at once with DeadlineExceededException") {
        net {
            val (ln, c, s) = tcpPair()
            c.setDeadline(Instant.now().minusSeconds(1))
            val e = shouldThrow<DeadlineExceededException> { c.read(ByteBuffer.allocate(1)) }
            e.shouldBeInstanceOf<SocketTimeoutException>()
            shouldThrow<DeadlineExceededException> { c.write(bytes("x")) }
            // Data waiting does not help: the deadline wins (Go checks it before the syscall).
            s.write(bytes("y"))
            delay(20)
            shouldThrow<DeadlineExceededException> { c.read(ByteBuffer.allocate(1)) }
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("a read deadline ends a suspended read no earlier than the deadline") {
        net {
            val (ln, c, s) = tcpPair()
            val start = TimeSource.Monotonic.markNow()
            c.setReadDeadline(Instant.now().plusMillis(150))
            shouldThrow<DeadlineExceededException> { c.read(ByteBuffer.allocate(1)) }
            start.elapsedNow() shouldBeGreaterThanOrEqualTo 145.milliseconds
            start.elapsedNow() shouldBeLessThan 5.seconds
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("the connection stays usable after a timeout: clear the deadline and read again") {
        net {
            val (ln, c, s) = tcpPair()
            c.setReadDeadline(Instant.now().plusMillis(50))
            shouldThrow<DeadlineExceededException> { c.read(ByteBuffer.allocate(1)) }
            c.setReadDeadline(null)
            val r = async { val b = ByteBuffer.allocate(2); c.readFully(b); b.text() }
            delay(200)
            r.isActive shouldBe true
            s.write(bytes("ok"))
            r.await() shouldBe "ok"
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("a deadline set while a read is suspended takes effect on that read") {
        net {
            val (ln, c, s) = tcpPair()
            val r = async { runCatching { c.read(ByteBuffer.allocate(1)) } }
            delay(100)
            c.setReadDeadline(Instant.now().plusMillis(50))
            r.await().exceptionOrNull().shouldBeInstanceOf<DeadlineExceededException>()
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("moving a deadline into the past while a read is suspended ends it at once") {
        net {
            val (ln, c, s) = tcpPair()
            c.setReadDeadline(Instant.now().plusSeconds(60))
            val r = async { runCatching { c.read(ByteBuffer.allocate(1)) } }
            delay(100)
            c.setReadDeadline(Instant.now().minusMillis(1))
            r.await().exceptionOrNull().shouldBeInstanceOf<DeadlineExceededException>()
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("extending a deadline while a read is suspended keeps the read waiting until the new one") {
        net {
            val (ln, c, s) = tcpPair()
            c.setReadDeadline(Instant.now().plusMillis(100))
            val start = TimeSource.Monotonic.markNow()
            val r = async { runCatching { c.read(ByteBuffer.allocate(1)) } }
            delay(30)
            c.setReadDeadline(Instant.now().plusMillis(400))
            r.await().exceptionOrNull().shouldBeInstanceOf<DeadlineExceededException>()
            start.elapsedNow() shouldBeGreaterThanOrEqualTo 400.milliseconds
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("clearing a deadline while a read is suspended lets it block until data arrives") {
        net {
            val (ln, c, s) = tcpPair()
            c.setReadDeadline(Instant.now().plusMillis(150))
            val r = async { c.read(ByteBuffer.allocate(1)) }
            delay(30)
            c.setReadDeadline(null)
            delay(300)
            r.isActive shouldBe true
            s.write(bytes("z"))
            r.await() shouldBe 1
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("a write deadline ends a write blocked on a full send buffer, having sent exactly the bytes before its buffer's position; writes work again after clearing it") {
        net {
            val (ln, c, s) = tcpPair()
            val queued = fillUntilBlocked(c)
            c.setWriteDeadline(Instant.now().plusMillis(100))
            val big = ByteBuffer.allocate(1 shl 20)
            shouldThrow<DeadlineExceededException> { c.write(big) }
            c.setWriteDeadline(null)
            val drain = async {
                val b = ByteBuffer.allocateDirect(1 shl 16)
                var n = 0L
                while (s.read(b.clear()) > 0) n += b.position()
                n
            }
            c.write(bytes("tail"))
            c.closeWrite()
            // java.nio's convention (Go returns the count with the error instead).
            drain.await() shouldBe queued + big.position() + 4
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("a write deadline set while a write is blocked on a full send buffer takes effect on that write") {
        net {
            val (ln, c, s) = tcpPair()
            // Fill the send buffer without a write deadline (a cancelled write leaves the
            // connection usable), so that nothing but the deadline below can end the write.
            val chunk = ByteBuffer.allocateDirect(64 * 1024)
            withTimeoutOrNull(300) {
                while (true) c.write(chunk.clear())
            }
            val w = async { runCatching { c.write(ByteBuffer.allocate(1 shl 20)) } }
            delay(100)
            w.isActive shouldBe true
            val start = TimeSource.Monotonic.markNow()
            c.setWriteDeadline(Instant.now().plusMillis(50))
            w.await().exceptionOrNull().shouldBeInstanceOf<DeadlineExceededException>()
            start.elapsedNow() shouldBeGreaterThanOrEqualTo 45.milliseconds
            start.elapsedNow() shouldBeLessThan 5.seconds
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("an accept deadline set while accept is suspended takes effect on that accept") {
        net {
            val ln = Net.listen("tcp", "127.0.0.1:0")
            val a = async { runCatching { ln.accept() } }
            delay(100)
            a.isActive shouldBe true
            val start = TimeSource.Monotonic.markNow()
            ln.setDeadline(Instant.now().plusMillis(50))
            a.await().exceptionOrNull().shouldBeInstanceOf<DeadlineExceededException>()
            start.elapsedNow() shouldBeGreaterThanOrEqualTo 45.milliseconds
            start.elapsedNow() shouldBeLessThan 5.seconds
            ln.close()
        }
    }

    test("a read deadline does not affect writes and a write deadline does not affect reads") {
        net {
            val (ln, c, s) = tcpPair()
            c.setReadDeadline(Instant.now().minusSeconds(1))
            c.write(bytes("w")) shouldBe 1
            c.setReadDeadline(null)
            c.setWriteDeadline(Instant.now().minusSeconds(1))
            s.write(bytes("r"))
            c.read(ByteBuffer.allocate(1)) shouldBe 1
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("an accept deadline ends a suspended accept") {
        net {
            val ln = Net.listen("tcp", "127.0.0.1:0")
            ln.setDeadline(Instant.now().plusMillis(100))
            shouldThrow<DeadlineExceededException> { ln.accept() }
            ln.setDeadline(null)
            val a = async { ln.accept() }
            Net.dial("tcp", "127.0.0.1:${ln.port}").use { a.await().close() }
            ln.close()
        }
    }

    test("repeated 100 ms deadlines each fire after 100 ms and within a bounded window (no drift, no early fire)") {
        net {
            val (ln, c, s) = tcpPair()
            val rounds = 10
            val late = mutableListOf<Long>()
            repeat(rounds) {
                val start = TimeSource.Monotonic.markNow()
                c.setReadDeadline(Instant.now().plusMillis(100))
                shouldThrow<DeadlineExceededException> { c.read(ByteBuffer.allocate(1)) }
                val took = start.elapsedNow()
                took shouldBeGreaterThanOrEqualTo 99.milliseconds
                // Go's TestReadTimeoutFluctuation allows generous slack on busy machines.
                took shouldBeLessThan 1.seconds
                late += took.inWholeMilliseconds - 100
            }
            println("DeadlineSpec: $rounds x 100 ms read deadlines, lateness ms = $late")
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("concurrent setDeadline from many coroutines while reads and writes run is safe; afterwards deadlines work and none stays armed") {
        net {
            val (ln, c, s) = tcpPair()
            val armedBefore = Netpoll.get().stats().deadlines()
            val rounds = 2_000
            // Deadlines 30 to 60 s away, moved, split and cleared all the time: none may fire
            // during the echoes however slow the machine is, so a DeadlineExceededException here
            // is a deadline that fired early (a lost update, a timer of a stale generation).
            val setters = (1..32).map { i ->
                launch {
                    repeat(rounds / 32) { k ->
                        val t = Instant.now().plusSeconds(30L + ((i + k) % 7) * 5)
                        when (k % 4) {
                            0 -> c.setDeadline(t)
                            1 -> c.setReadDeadline(t)
                            2 -> c.setWriteDeadline(t)
                            else -> c.setWriteDeadline(null)
                        }
                        if (k % 16 == 0) kotlinx.coroutines.yield()
                    }
                }
            }
            val echo = launch {
                val b = ByteBuffer.allocate(64)
                while (true) {
                    b.clear()
                    if (s.read(b) < 0) break
                    s.write(b.flip())
                }
            }
            var echoed = 0
            repeat(200) { i ->
                c.write(bytes("m%03d".format(i)))
                val b = ByteBuffer.allocate(4)
                c.readFully(b)
                b.text() shouldBe "m%03d".format(i)
                echoed++
            }
            setters.forEach { it.join() }
            // The timers survived the churn: a short deadline still fires on time...
            val start = TimeSource.Monotonic.markNow()
            c.setReadDeadline(Instant.now().plusMillis(100))
            shouldThrow<DeadlineExceededException> { c.read(ByteBuffer.allocate(1)) }
            start.elapsedNow() shouldBeGreaterThanOrEqualTo 95.milliseconds
            start.elapsedNow() shouldBeLessThan 5.seconds
            // ...and clearing both leaves none of this connection's timers armed (the count is
            // process-wide: another socket's timer may fire meanwhile, none may be added).
            c.setDeadline(null)
            Netpoll.get().stats().deadlines() shouldBeLessThanOrEqual armedBefore
            c.closeWrite()
            echo.join()
            println("DeadlineSpec: $rounds concurrent deadline changes from 32 coroutines during $echoed echoes")
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("the Duration and nanoTime forms: a timeout from now ends a read after it, zero or negative fails at once, a closed socket refuses them") {
        net {
            val (ln, c, s) = tcpPair()
            val t0 = TimeSource.Monotonic.markNow()
            c.setReadDeadline(100.milliseconds)
            shouldThrow<DeadlineExceededException> { c.read(ByteBuffer.allocate(1)) }
            t0.elapsedNow() shouldBeGreaterThanOrEqualTo 100.milliseconds
            c.setWriteDeadline(kotlin.time.Duration.ZERO)
            shouldThrow<DeadlineExceededException> { c.write(bytes("x")) }
            c.setDeadlineNanos(System.nanoTime() - 1)
            shouldThrow<DeadlineExceededException> { c.read(ByteBuffer.allocate(1)) }
            c.setDeadline(kotlin.time.Duration.INFINITE)
            s.write(bytes("y"))
            c.read(ByteBuffer.allocate(1)) shouldBe 1
            c.write(bytes("z")) shouldBe 1
            c.close()
            shouldThrow<java.nio.channels.ClosedChannelException> { c.setReadDeadline(1.seconds) }
            shouldThrow<java.nio.channels.ClosedChannelException> { c.setWriteDeadlineNanos(System.nanoTime()) }
            listOf(ln, s).forEach { it.close() }
        }
    }
})
