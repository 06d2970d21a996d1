package io.netpoll.net

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.comparables.shouldBeGreaterThanOrEqualTo
import io.kotest.matchers.shouldBe
import io.netpoll.DeadlineExceededException
import io.netpoll.dispatcher.Netpoll
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.withTimeout
import java.net.SocketException
import java.nio.ByteBuffer
import java.nio.channels.AsynchronousCloseException
import java.nio.channels.ClosedChannelException
import java.nio.file.Files
import java.time.Instant
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.TimeSource

/**
 * [Conn.awaitReadable] waits for a read that would not block and reads nothing; [Conn.tryRead] is
 * the read that never suspends. Together they let a connection wait without a buffer, so they obey
 * a read's rules: deadlines, close, cancellation, one reader at a time.
 */
class AwaitReadableSpec : FunSpec({
    test("awaitReadable suspends until data arrives, then tryRead takes it") {
        net {
            val (ln, c, s) = tcpPair()
            val before = parkedWaiters()
            val waiting = async { c.awaitReadable() }
            delay(100)
            waiting.isActive shouldBe true
            parkedWaiters() shouldBe before + 1
            s.write(bytes("ping"))
            waiting.await()
            parkedWaiters() shouldBe before
            val b = ByteBuffer.allocate(16)
            c.tryRead(b) shouldBe 4
            b.text() shouldBe "ping"
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("awaiting consumes nothing: every byte is still there for the read, however often one waits") {
        net {
            val (ln, c, s) = tcpPair()
            s.write(bytes("all of it"))
            repeat(5) { c.awaitReadable() }
            val b = ByteBuffer.allocate(9)
            c.readFully(b)
            b.text() shouldBe "all of it"
            c.tryRead(ByteBuffer.allocate(1)) shouldBe 0
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("awaitReadable returns at end of stream, where tryRead and read give -1") {
        net {
            val (ln, c, s) = tcpPair()
            val waiting = async { c.awaitReadable() }
            delay(50)
            s.closeWrite()
            waiting.await()
            c.tryRead(ByteBuffer.allocate(1)) shouldBe -1
            c.awaitReadable()
            c.read(ByteBuffer.allocate(1)) shouldBe -1
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("a reset surfaces once as SocketException: from the read after a wait, or from awaitReadable when already pending") {
        net {
            val (ln, c, s) = tcpPair()
            val waiting = async { c.awaitReadable() }
            delay(50)
            s.setLinger(0)
            s.close()
            waiting.await()
            val e = shouldThrow<SocketException> { c.tryRead(ByteBuffer.allocate(1)) }
            println("AwaitReadableSpec: reset while waiting, then tryRead -> ${e.message}")

            val (ln2, c2, s2) = tcpPair()
            s2.setLinger(0)
            s2.close()
            delay(50)
            shouldThrow<SocketException> { c2.awaitReadable() }
            // The kernel handed the error out once; what is left is a closed stream.
            c2.tryRead(ByteBuffer.allocate(1)) shouldBe -1
            listOf(ln, c, ln2, c2).forEach { it.close() }
        }
    }

    test("a read deadline ends awaitReadable with DeadlineExceededException, no earlier than the deadline") {
        net {
            val (ln, c, s) = tcpPair()
            val start = TimeSource.Monotonic.markNow()
            c.setReadDeadline(Instant.now().plusMillis(150))
            shouldThrow<DeadlineExceededException> { c.awaitReadable() }
            start.elapsedNow() shouldBeGreaterThanOrEqualTo 145.milliseconds
            // As for read, a passed deadline wins over data that is waiting.
            s.write(bytes("late"))
            delay(20)
            shouldThrow<DeadlineExceededException> { c.awaitReadable() }
            shouldThrow<DeadlineExceededException> { c.tryRead(ByteBuffer.allocate(4)) }
            c.setReadDeadline(null)
            c.awaitReadable()
            val b = ByteBuffer.allocate(4)
            c.tryRead(b) shouldBe 4
            b.text() shouldBe "late"
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("a deadline set while awaitReadable is suspended takes effect on it") {
        net {
            val (ln, c, s) = tcpPair()
            val waiting = async { runCatching { c.awaitReadable() } }
            delay(100)
            c.setReadDeadline(Instant.now().plusMillis(50))
            (waiting.await().exceptionOrNull() is DeadlineExceededException) shouldBe true
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("close while awaitReadable is suspended ends it with AsynchronousCloseException") {
        net {
            val (ln, c, s) = tcpPair()
            val before = parkedWaiters()
            val waiting = async { runCatching { c.awaitReadable() } }
            delay(100)
            c.close()
            (waiting.await().exceptionOrNull() is AsynchronousCloseException) shouldBe true
            parkedWaiters() shouldBe before
            listOf(ln, s).forEach { it.close() }
        }
    }

    test("close while awaitReadable is queued behind a read ends it with AsynchronousCloseException") {
        net {
            val (ln, c, s) = tcpPair()
            val reading = async { runCatching { c.read(ByteBuffer.allocate(1)) } }
            delay(50)
            val waiting = async { runCatching { c.awaitReadable() } }
            delay(50)
            c.close()
            (reading.await().exceptionOrNull() is AsynchronousCloseException) shouldBe true
            (waiting.await().exceptionOrNull() is AsynchronousCloseException) shouldBe true
            listOf(ln, s).forEach { it.close() }
        }
    }

    test("after close, awaitReadable and tryRead throw ClosedChannelException") {
        net {
            val (ln, c, s) = tcpPair()
            s.write(bytes("x"))
            c.close()
            shouldThrow<ClosedChannelException> { c.awaitReadable() }
            shouldThrow<ClosedChannelException> { c.tryRead(ByteBuffer.allocate(1)) }
            listOf(ln, s).forEach { it.close() }
        }
    }

    test("cancelling a suspended awaitReadable leaves the connection usable, many times over") {
        net {
            val (ln, c, s) = tcpPair()
            val before = parkedWaiters()
            val waiting = async { c.awaitReadable() }
            delay(50)
            waiting.cancel()
            shouldThrow<CancellationException> { waiting.await() }
            parkedWaiters() shouldBe before
            repeat(30) {
                shouldThrow<TimeoutCancellationException> { withTimeout(5) { c.awaitReadable() } }
            }
            parkedWaiters() shouldBe before
            s.write(bytes("still"))
            c.awaitReadable()
            val b = ByteBuffer.allocate(5)
            c.readFully(b)
            b.text() shouldBe "still"
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("awaitReadable takes its turn with reads: a read in progress is served first") {
        net {
            val (ln, c, s) = tcpPair()
            val reading = async { val b = ByteBuffer.allocate(1); c.read(b); b.text() }
            delay(50)
            val waiting = async { c.awaitReadable() }
            delay(50)
            s.write(bytes("a"))
            reading.await() shouldBe "a"
            delay(50)
            waiting.isActive shouldBe true
            s.write(bytes("b"))
            waiting.await()
            val b = ByteBuffer.allocate(1)
            c.tryRead(b) shouldBe 1
            b.text() shouldBe "b"
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("tryRead never suspends: 0 without data or without room, bytes when data is queued") {
        net {
            val (ln, c, s) = tcpPair()
            c.tryRead(ByteBuffer.allocate(8)) shouldBe 0
            s.write(bytes("abc"))
            c.awaitReadable()
            c.tryRead(ByteBuffer.allocate(0)) shouldBe 0
            val b = ByteBuffer.allocate(8)
            c.tryRead(b) shouldBe 3
            b.text() shouldBe "abc"
            c.tryRead(ByteBuffer.allocate(8)) shouldBe 0
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("tryRead returns 0 while another read holds the connection") {
        net {
            val (ln, c, s) = tcpPair()
            val reading = async { c.read(ByteBuffer.allocate(1)) }
            delay(50)
            c.tryRead(ByteBuffer.allocate(1)) shouldBe 0
            s.write(bytes("z"))
            reading.await() shouldBe 1
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("a buffer-less echo loop on Dispatchers.Netpoll and over a Unix socket") {
        val dir = Files.createTempDirectory("netkt-await")
        for ((network, address) in listOf("tcp" to "127.0.0.1:0", "unix" to dir.resolve("e.sock").toString())) {
            net(Dispatchers.Netpoll) {
                val ln = Net.listen(network, address)
                val pool = BufferPool(64, 4)
                val server = async {
                    ln.accept().use { c ->
                        while (true) {
                            c.awaitReadable()
                            val buf = pool.get()
                            try {
                                var n: Int
                                while (c.tryRead(buf).also { n = it } > 0) {
                                    c.write(buf.flip())
                                    buf.clear()
                                }
                                if (n < 0) break
                            } finally {
                                pool.put(buf)
                            }
                        }
                    }
                }
                val dialed = if (network == "unix") address else "127.0.0.1:${ln.port}"
                val client = Net.dial(network, dialed)
                val back = ByteBuffer.allocate(300)
                repeat(100) { i ->
                    client.write(bytes("%03d".format(i)))
                    val one = ByteBuffer.allocate(3)
                    client.readFully(one)
                    back.put(one.flip())
                }
                client.closeWrite()
                server.await()
                back.flip()
                String(ByteArray(300).also { back.get(it) }) shouldBe (0 until 100).joinToString("") { "%03d".format(it) }
                pool.allocated shouldBe 1L
                pool.available() shouldBe 1
                println("AwaitReadableSpec: $network echo of 100 round trips with ${pool.allocated} buffer")
                client.close()
                ln.close()
            }
        }
    }
})
