package io.netpoll.net

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import io.netpoll.DeadlineExceededException
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import java.net.InetSocketAddress
import java.nio.ByteBuffer
import java.nio.channels.AsynchronousCloseException
import java.nio.channels.ClosedChannelException
import java.time.Instant

class PacketConnSpec : FunSpec({
    test("UDP round trip: readFrom reports the sender, writeTo answers it") {
        net {
            val a = Net.listenPacket("udp", "127.0.0.1:0")
            val b = Net.listenPacket("udp4", "127.0.0.1:0")
            val got = async {
                val buf = ByteBuffer.allocate(64)
                val from = a.readFrom(buf)
                a.writeTo(bytes("pong:" + buf.text()), from)
                from
            }
            b.writeTo(bytes("ping"), a.localAddress) shouldBe 4
            val reply = ByteBuffer.allocateDirect(64)
            val from = b.readFrom(reply)
            reply.text() shouldBe "pong:ping"
            from shouldBe a.localAddress
            got.await() shouldBe b.localAddress
            a.close()
            b.close()
        }
    }

    test("UDP over IPv6 and many datagrams keep their boundaries") {
        net {
            val a = Net.listenPacket("udp6", "[::1]:0")
            val b = Net.listenPacket("udp", "[::1]:0")
            repeat(20) { b.writeTo(bytes("d$it"), a.localAddress) }
            val buf = ByteBuffer.allocate(64)
            repeat(20) {
                buf.clear()
                a.readFrom(buf)
                buf.text() shouldBe "d$it"
            }
            (a.localAddress as InetSocketAddress).address.hostAddress shouldBe "0:0:0:0:0:0:0:1"
            a.close()
            b.close()
        }
    }

    test("read deadline, close while blocked, and use after close") {
        net {
            val p = Net.listenPacket("udp", "127.0.0.1:0")
            p.setReadDeadline(Instant.now().plusMillis(100))
            shouldThrow<DeadlineExceededException> { p.readFrom(ByteBuffer.allocate(8)) }
            p.setReadDeadline(null)
            val r = async { runCatching { p.readFrom(ByteBuffer.allocate(8)) } }
            delay(100)
            p.close()
            r.await().exceptionOrNull().shouldBeInstanceOf<AsynchronousCloseException>()
            shouldThrow<ClosedChannelException> { p.readFrom(ByteBuffer.allocate(8)) }
            shouldThrow<ClosedChannelException> { p.writeTo(bytes("x"), InetSocketAddress("127.0.0.1", 9)) }
        }
    }

    test("a passed write deadline fails writeTo at once with DeadlineExceededException; cleared, writeTo works again") {
        net {
            val a = Net.listenPacket("udp", "127.0.0.1:0")
            val b = Net.listenPacket("udp", "127.0.0.1:0")
            b.setWriteDeadline(Instant.now().minusMillis(1))
            shouldThrow<DeadlineExceededException> { b.writeTo(bytes("late"), a.localAddress) }
            // A future write deadline does not fail a write that need not wait.
            b.setWriteDeadline(Instant.now().plusSeconds(60))
            b.writeTo(bytes("soon"), a.localAddress) shouldBe 4
            b.setWriteDeadline(null)
            b.writeTo(bytes("free"), a.localAddress) shouldBe 4
            val buf = ByteBuffer.allocate(8)
            a.readFrom(buf)
            buf.text() shouldBe "soon"
            buf.clear()
            a.readFrom(buf)
            buf.text() shouldBe "free"
            a.close()
            b.close()
        }
    }
})
