package io.netpoll.net

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.ints.shouldBeGreaterThanOrEqual
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import io.netpoll.DeadlineExceededException
import io.netpoll.dispatcher.Netpoll
import io.netpoll.dispatcher.NetpollDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeout
import java.net.InetAddress
import java.nio.ByteBuffer
import java.nio.channels.AsynchronousCloseException
import java.time.Instant
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.atomic.AtomicInteger

/** The same API on the Go-style scheduler, including with a single P. */
class NetpollDispatcherSpec : FunSpec({
    test("dial by name, echo, deadline, cancellation and close on Dispatchers.Netpoll") {
        net(Dispatchers.Netpoll) {
            val ln = Net.listen("tcp", "localhost:0")
            val accepted = async { ln.accept() }
            val c = Net.dial("tcp", "localhost:${ln.port}")
            val s = accepted.await()
            c.write(bytes("hi"))
            val b = ByteBuffer.allocate(2)
            s.readFully(b)
            b.text() shouldBe "hi"
            s.setReadDeadline(Instant.now().plusMillis(50))
            shouldThrow<DeadlineExceededException> { s.read(ByteBuffer.allocate(1)) }
            s.setReadDeadline(null)
            shouldThrow<TimeoutCancellationException> { withTimeout(20) { s.read(ByteBuffer.allocate(1)) } }
            val r = async { runCatching { s.read(ByteBuffer.allocate(1)) } }
            delay(50)
            s.close()
            r.await().exceptionOrNull().shouldBeInstanceOf<AsynchronousCloseException>()
            listOf(ln, c).forEach { it.close() }
        }
    }

    test("a single-P NetpollDispatcher keeps running coroutines while name lookups take 300 ms; a server and 50 clients dial by name") {
        NetpollDispatcher(parallelism = 1, name = "net-kt-1p").use { d ->
            // A ticker on the one P counts 10 ms delays; each lookup records how far it moved
            // while the lookup slept. A lookup that held the P would see it stand still.
            val ticks = AtomicInteger()
            val ticksDuringLookups = ConcurrentLinkedQueue<Int>()
            val slow: (String) -> Array<InetAddress> = { host ->
                val before = ticks.get()
                Thread.sleep(300)
                ticksDuringLookups += ticks.get() - before
                InetAddress.getAllByName(host)
            }
            net(d) {
                val ticker = launch {
                    while (true) {
                        ticks.incrementAndGet()
                        delay(10)
                    }
                }
                val ln = Net.listen("tcp", "127.0.0.1:0")
                val server = async {
                    repeat(50) {
                        val c = ln.accept()
                        async {
                            c.use {
                                val b = ByteBuffer.allocate(64)
                                while (it.read(b.clear()) > 0) it.write(b.flip())
                            }
                        }
                    }
                }
                val echoed = withLookup(slow) {
                    (0 until 50).map { i ->
                        async {
                            Net.dial("tcp", "localhost:${ln.port}").use { c ->
                                c.write(bytes("c$i"))
                                val b = ByteBuffer.allocate("c$i".length)
                                c.readFully(b)
                                b.text()
                            }
                        }
                    }.map { it.await() }
                }
                echoed shouldBe (0 until 50).map { "c$it" }
                server.await()
                ticker.cancel()
                ln.close()
            }
            println("NetpollDispatcherSpec: ticks on the single P during each 300 ms lookup: min ${ticksDuringLookups.min()}, max ${ticksDuringLookups.max()}")
            ticksDuringLookups.size shouldBe 50
            ticksDuringLookups.min() shouldBeGreaterThanOrEqual 5
        }
    }
})
