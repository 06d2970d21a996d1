package io.netpoll.net

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldStartWith
import io.kotest.matchers.types.shouldBeInstanceOf
import io.netpoll.DeadlineExceededException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.future.await
import kotlinx.coroutines.withContext
import java.net.BindException
import java.net.ConnectException
import java.net.InetSocketAddress
import java.nio.ByteBuffer
import java.nio.channels.AsynchronousCloseException
import java.nio.channels.ClosedChannelException
import kotlin.time.Duration.Companion.milliseconds

/**
 * Errors name the operation, the network and the addresses, as Go's net.OpError does
 * (`dial tcp 127.0.0.1:21599: connect: connection refused`), and keep their exception types.
 */
class OpErrorSpec : FunSpec({
    fun addr(a: java.net.SocketAddress): String = (a as InetSocketAddress).let { "${it.address.hostAddress}:${it.port}" }

    test("a refused dial names the address it dialled, in every form, as a ConnectException") {
        net {
            val port = Net.listen("tcp", "127.0.0.1:0").let { val p = it.port; it.close(); p }
            val prefix = "dial tcp 127.0.0.1:$port: "
            val forms = listOf<suspend () -> Conn>(
                { Net.dial("tcp", "127.0.0.1:$port") },
                { withContext(Dispatchers.IO) { Net.dialBlocking("tcp", "127.0.0.1:$port") } },
                { Net.dialAsync("tcp", "127.0.0.1:$port").await() },
                { Net.dial(InetSocketAddress("127.0.0.1", port)) },
            )
            for (dial in forms) {
                val e = shouldThrow<ConnectException> { dial() }
                e.javaClass shouldBe ConnectException::class.java
                e.message shouldStartWith prefix
                e.message shouldContain "refused"
            }
            println("OpErrorSpec: ${shouldThrow<ConnectException> { Net.dial("tcp", "127.0.0.1:$port") }.message}")
        }
    }

    test("a dial that times out names the address: dial tcp host:port: i/o timeout") {
        net {
            // A listener that never accepts, with no queue: the kernel drops further SYNs.
            val ln = Net.listen("tcp", "127.0.0.1:0", ListenOptions(backlog = 0))
            val filled = mutableListOf<Conn>()
            var timedOut: Throwable? = null
            for (i in 0 until 16) {
                try {
                    filled += Net.dial("tcp", "127.0.0.1:${ln.port}", timeout = 200.milliseconds)
                } catch (e: Exception) {
                    timedOut = e
                    break
                }
            }
            timedOut.shouldBeInstanceOf<DeadlineExceededException>()
            timedOut.javaClass shouldBe DeadlineExceededException::class.java
            timedOut.message shouldBe "dial tcp 127.0.0.1:${ln.port}: i/o timeout"
            filled.forEach { it.close() }
            ln.close()
        }
    }

    test("a read that times out names both ends: read tcp local->remote: i/o timeout") {
        net {
            val (ln, c, s) = tcpPair()
            c.setReadDeadline(50.milliseconds)
            val expected = "read tcp ${addr(c.localAddress)}->${addr(c.remoteAddress)}: i/o timeout"
            val e = shouldThrow<DeadlineExceededException> { c.read(ByteBuffer.allocate(8)) }
            e.javaClass shouldBe DeadlineExceededException::class.java
            e.message shouldBe expected
            val blocking = withContext(Dispatchers.IO) { runCatching { c.readBlocking(ByteBuffer.allocate(8)) }.exceptionOrNull() }
            blocking.shouldBeInstanceOf<DeadlineExceededException>().message shouldBe expected
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("a write after close is a ClosedChannelException that names the connection") {
        net {
            val (ln, c, s) = tcpPair()
            val ends = "${addr(c.localAddress)}->${addr(c.remoteAddress)}"
            c.close()
            val e = shouldThrow<ClosedChannelException> { c.write(bytes("x")) }
            e.message shouldBe "write tcp $ends: use of closed network connection"
            shouldThrow<ClosedChannelException> { c.writeBlocking(bytes("x")) }.message shouldBe e.message
            shouldThrow<ClosedChannelException> { c.read(ByteBuffer.allocate(1)) }.message shouldBe
                "read tcp $ends: use of closed network connection"
            listOf(ln, s).forEach { it.close() }
        }
    }

    test("an accept ended by close names the listener's address") {
        net {
            val ln = Net.listen("tcp", "127.0.0.1:0")
            val where = addr(ln.localAddress)
            val accept = async { runCatching { ln.accept() }.exceptionOrNull() }
            kotlinx.coroutines.delay(50)
            ln.close()
            val e = accept.await().shouldBeInstanceOf<AsynchronousCloseException>()
            e.message shouldBe "accept tcp $where: use of closed network connection"
        }
    }

    test("listening on a taken or foreign address names it, as a BindException") {
        net {
            val ln = Net.listen("tcp", "127.0.0.1:0")
            val taken = shouldThrow<BindException> { Net.listen("tcp", "127.0.0.1:${ln.port}") }
            taken.javaClass shouldBe BindException::class.java
            taken.message shouldStartWith "listen tcp 127.0.0.1:${ln.port}: "
            taken.message shouldContain "in use"
            ln.close()
            // 192.0.2.1 (TEST-NET-1) is no address of this machine: bind fails, nothing is sent.
            val foreign = shouldThrow<BindException> { Net.listen("tcp", "192.0.2.1:0") }
            foreign.message shouldStartWith "listen tcp 192.0.2.1:0: "
            shouldThrow<BindException> { Net.listenPacket("udp", "192.0.2.1:0") }.message shouldStartWith "listen udp 192.0.2.1:0: "
            println("OpErrorSpec: ${taken.message} / ${foreign.message}")
        }
    }
})
