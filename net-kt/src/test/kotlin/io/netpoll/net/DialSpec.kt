package io.netpoll.net

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.comparables.shouldBeGreaterThanOrEqualTo
import io.kotest.matchers.comparables.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import io.netpoll.DeadlineExceededException
import java.net.InetSocketAddress
import java.net.SocketTimeoutException
import java.nio.ByteBuffer
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource
import kotlinx.coroutines.async

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
            val c = Dialer.dialSerial(targets, System.nanoTime() + 5_000_000_000L)
            (c.remoteAddress as InetSocketAddress).address.hostAddress shouldBe "0:0:0:0:0:0:0:1"
            accepted.await().close()
            c.close()
            ln.close()
            val e = shouldThrow<java.net.ConnectException> {
                Dialer.dialSerial(listOf(InetSocketAddress("127.0.0.1", refused), InetSocketAddress("::1", refused)), 0L)
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
})
