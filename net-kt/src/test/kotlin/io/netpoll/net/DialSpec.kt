package io.netpoll.net

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.comparables.shouldBeGreaterThanOrEqualTo
import io.kotest.matchers.comparables.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import io.netpoll.DeadlineExceededException
import io.netpoll.dispatcher.NetpollDispatcher
import io.netpoll.net.internal.Deadlines
import io.netpoll.net.internal.Dialer
import io.netpoll.net.internal.Network
import java.io.InterruptedIOException
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.SocketTimeoutException
import java.nio.ByteBuffer
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.delay
import kotlinx.coroutines.future.await
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout

class DialSpec : FunSpec({
    test("dial with a timeout against a listener whose accept queue is full fails with DeadlineExceededException") {
        net {
            val ln = Net.listen("tcp", "127.0.0.1:0", ListenOptions(backlog = 0))
            val filled = mutableListOf<Conn>()
            var timedOut: Throwable? = null
            var took = 0.milliseconds
            for (i in 0 until 16) {
                val start = TimeSource.Monotonic.markNow()
                try {
                    filled += Net.dial("tcp", "127.0.0.1:${ln.port}", timeout = 300.milliseconds)
                } catch (e: Exception) {
                    timedOut = e
                    took = start.elapsedNow()
                    break
                }
            }
            timedOut.shouldBeInstanceOf<DeadlineExceededException>()
            timedOut.shouldBeInstanceOf<SocketTimeoutException>()
            took shouldBeGreaterThanOrEqualTo 295.milliseconds
            took shouldBeLessThan 3.seconds
            println("DialSpec: ${filled.size} connections filled the accept queue; the next dial timed out after $took")
            filled.forEach { it.close() }
            ln.close()
        }
    }

    test("dialSerial tries each resolved address in turn and reports the first error if none connects") {
        net {
            val refused = Net.listen("tcp", "127.0.0.1:0").let { val p = it.port; it.close(); p }
            val ln = Net.listen("tcp6", "[::1]:0")
            val accepted = async { ln.accept() }
            val targets = listOf(
                InetSocketAddress("127.0.0.1", refused),
                InetSocketAddress("::1", ln.port),
            )
            val plan = Dialer.Plan(Network.TCP, "localhost:${ln.port}", null)
            val c = Dialer.dialSerial(plan, targets, System.nanoTime() + 5_000_000_000L)
            (c.remoteAddress as InetSocketAddress).address.hostAddress shouldBe "0:0:0:0:0:0:0:1"
            accepted.await().close()
            c.close()
            ln.close()
            val e = shouldThrow<java.net.ConnectException> {
                Dialer.dialSerial(plan, listOf(InetSocketAddress("127.0.0.1", refused), InetSocketAddress("::1", refused)), 0L)
            }
            e.message shouldContain "refused"
        }
    }

    test("a dial that succeeds clears its connect deadline: later reads may block past the timeout") {
        net {
            val ln = Net.listen("tcp", "127.0.0.1:0")
            val accepted = async { ln.accept() }
            val c = Net.dial("tcp", "127.0.0.1:${ln.port}", timeout = 100.milliseconds)
            val s = accepted.await()
            kotlinx.coroutines.delay(200)
            c.write(bytes("late")) shouldBe 4
            val b = ByteBuffer.allocate(4)
            s.readFully(b)
            b.text() shouldBe "late"
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("a dial timeout of Duration.INFINITE (or centuries from Java) means no limit, as a far deadline does") {
        // Clamped like setDeadline's far deadlines, so nanoTime + timeout cannot wrap around.
        Net.timeoutNanos(kotlin.time.Duration.INFINITE) shouldBe Deadlines.maxDeltaNanos
        Net.timeoutNanos(java.time.Duration.ofSeconds(Long.MAX_VALUE)) shouldBe Deadlines.maxDeltaNanos
        Net.timeoutNanos(java.time.Duration.ofDays(365L * 200)) shouldBe Deadlines.maxDeltaNanos
        Net.timeoutNanos(2.seconds) shouldBe 2_000_000_000L
        Net.timeoutNanos(java.time.Duration.ofMillis(1500)) shouldBe 1_500_000_000L
        net {
            val ln = Net.listen("tcp", "127.0.0.1:0")
            for (dial in listOf<suspend () -> Conn>(
                { Net.dial("tcp", "127.0.0.1:${ln.port}", timeout = kotlin.time.Duration.INFINITE) },
                { Net.dial("tcp", "localhost:${ln.port}", timeout = kotlin.time.Duration.INFINITE) },
                { Net.dialBlocking("tcp", "127.0.0.1:${ln.port}", java.time.Duration.ofSeconds(Long.MAX_VALUE)) },
                { Net.dialAsync("tcp", "localhost:${ln.port}", java.time.Duration.ofSeconds(Long.MAX_VALUE)).await() },
            )) {
                val accepted = async { ln.accept() }
                dial().use { c ->
                    c.write(bytes("x")) shouldBe 1
                    accepted.await().use { s -> s.read(ByteBuffer.allocate(1)) shouldBe 1 }
                }
            }
            ln.close()
        }
    }

    context("a name lookup that hangs") {
        // Each lookup waits for `release` (the end of the test) before answering, as a DNS server
        // that does not reply would make it; `started` and `finished` count lookups.
        val release = CountDownLatch(1)
        val started = AtomicInteger()
        val finished = AtomicInteger()
        val hanging: (String) -> Array<InetAddress> = { host ->
            started.incrementAndGet()
            release.await(30, TimeUnit.SECONDS)
            finished.incrementAndGet()
            InetAddress.getAllByName(host)
        }
        val ln = Net.listen("tcp", "127.0.0.1:0")
        val address = "localhost:${ln.port}"

        suspend fun awaitLookups(n: Int) {
            while (started.get() < n) delay(5)
        }

        test("a dial timeout ends the dial with DeadlineExceededException at the timeout, on Dispatchers.Default and on one P") {
            NetpollDispatcher(parallelism = 1, name = "dial-1p").use { oneP ->
                for (d in listOf(Dispatchers.Default, oneP)) {
                    net(d) {
                        withLookup(hanging) {
                            val start = TimeSource.Monotonic.markNow()
                            val e = shouldThrow<DeadlineExceededException> { Net.dial("tcp", address, timeout = 200.milliseconds) }
                            val took = start.elapsedNow()
                            e.message shouldBe "dial tcp $address: lookup localhost: i/o timeout"
                            took shouldBeGreaterThanOrEqualTo 195.milliseconds
                            took shouldBeLessThan 1.seconds
                        }
                    }
                }
            }
        }

        test("a caller's own withTimeout around a dial ends it with TimeoutCancellationException, not as a dial timeout") {
            net {
                withLookup(hanging) {
                    val start = TimeSource.Monotonic.markNow()
                    shouldThrow<TimeoutCancellationException> {
                        withTimeout(100) { Net.dial("tcp", address, timeout = 5.seconds) }
                    }
                    start.elapsedNow() shouldBeLessThan 1.seconds
                }
            }
        }

        test("cancelling a dial ends it with CancellationException at once") {
            net {
                withLookup(hanging) {
                    val before = started.get()
                    val dial = async { Net.dial("tcp", address) }
                    awaitLookups(before + 1)
                    val start = TimeSource.Monotonic.markNow()
                    dial.cancelAndJoin()
                    start.elapsedNow() shouldBeLessThan 300.milliseconds
                    dial.isCancelled shouldBe true
                    shouldThrow<CancellationException> { dial.await() }
                }
            }
        }

        test("dialBlocking and dialAsync time out with DeadlineExceededException; an interrupt ends dialBlocking with InterruptedIOException") {
            net {
                withLookup(hanging) {
                    var start = TimeSource.Monotonic.markNow()
                    val blocking = withContext(Dispatchers.IO) {
                        runCatching { Net.dialBlocking("tcp", address, java.time.Duration.ofMillis(200)) }.exceptionOrNull()
                    }
                    blocking.shouldBeInstanceOf<DeadlineExceededException>()
                    start.elapsedNow() shouldBeLessThan 1.seconds

                    start = TimeSource.Monotonic.markNow()
                    shouldThrow<DeadlineExceededException> { Net.dialAsync("tcp", address, java.time.Duration.ofMillis(200)).await() }
                    start.elapsedNow() shouldBeGreaterThanOrEqualTo 195.milliseconds
                    start.elapsedNow() shouldBeLessThan 1.seconds

                    val before = started.get()
                    val outcome = CompletableFuture<Pair<Throwable?, Boolean>>()
                    val t = Thread {
                        val e = runCatching { Net.dialBlocking("tcp", address) }.exceptionOrNull()
                        outcome.complete(e to Thread.currentThread().isInterrupted)
                    }
                    t.start()
                    awaitLookups(before + 1)
                    t.interrupt()
                    val (e, stillInterrupted) = outcome.get(1, TimeUnit.SECONDS)
                    e.shouldBeInstanceOf<InterruptedIOException>()
                    stillInterrupted shouldBe true
                }
            }
        }

        test("the abandoned lookups finish in the background once the resolver answers") {
            release.countDown()
            net {
                while (finished.get() < started.get()) delay(5)
                println("DialSpec: ${started.get()} hanging lookups abandoned by their dials, all finished afterwards")
                started.get() shouldBe 7
                withLookup(hanging) { Net.dial("tcp", address).close() }
                ln.accept().close()
            }
            ln.close()
        }
    }
})
