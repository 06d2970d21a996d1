package io.netpoll.net

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.netpoll.DeadlineExceededException
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.yield
import java.nio.ByteBuffer
import java.time.Instant

/**
 * After a short read the next coroutine read (or readiness probe) waits for readiness before it
 * reads (no syscall spent on EAGAIN). It must still never miss data: data that arrived before the
 * read, data that arrives while it waits, end of stream, and reads done meanwhile through the Java
 * facade.
 */
class ShortReadSpec : FunSpec({
    test("a short read marks the stream drained; a full read, and a datagram socket, do not") {
        net {
            val (ln, c, s) = tcpPair()
            s.write(bytes("hello"))
            val big = ByteBuffer.allocateDirect(64)
            c.read(big) shouldBe 5
            c.fd.readDrained() shouldBe true
            s.write(bytes("0123456789"))
            delay(50)
            c.read(ByteBuffer.allocateDirect(4)) shouldBe 4
            c.fd.readDrained() shouldBe false
            c.read(big.clear()) shouldBe 6
            c.fd.readDrained() shouldBe true
            val p = Net.listenPacket("udp", "127.0.0.1:0")
            val q = Net.listenPacket("udp", "127.0.0.1:0")
            q.writeTo(bytes("x"), p.localAddress)
            p.readFrom(ByteBuffer.allocate(64))
            p.fd.readDrained() shouldBe false
            listOf(ln, c, s, p, q).forEach { it.close() }
        }
    }

    test("after a short read, data that arrived before the next read is read at once") {
        net {
            val (ln, c, s) = tcpPair()
            val buf = ByteBuffer.allocateDirect(64)
            s.write(bytes("one"))
            c.read(buf) shouldBe 3
            s.write(bytes("two"))
            delay(50) // the readiness event is recorded before the read starts
            c.read(buf.clear()) shouldBe 3
            buf.text() shouldBe "two"
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("after a short read, a read waits and gets data written later, then end of stream") {
        net {
            val (ln, c, s) = tcpPair()
            val buf = ByteBuffer.allocateDirect(64)
            s.write(bytes("one"))
            c.read(buf) shouldBe 3
            val next = async { c.read(buf.clear()).also { buf.flip() } }
            yield()
            delay(50)
            s.write(bytes("three"))
            next.await() shouldBe 5
            s.closeWrite()
            c.read(buf.clear()) shouldBe -1
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("a Java-facade read that leaves data behind does not make a coroutine read wait for nothing") {
        net {
            val (ln, c, s) = tcpPair()
            val buf = ByteBuffer.allocateDirect(64)
            s.write(bytes("a"))
            c.read(buf) shouldBe 1
            c.fd.readDrained() shouldBe true
            s.write(bytes("0123456789"))
            delay(50)
            // A full 4-byte blocking read consumes the readiness and leaves 6 bytes queued.
            c.readBlocking(ByteBuffer.allocateDirect(4)) shouldBe 4
            c.read(buf.clear()) shouldBe 6
            buf.text() shouldBe "456789"
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("awaitReadable and tryRead after a short read: data before the wait, during it, then end of stream") {
        net {
            val (ln, c, s) = tcpPair()
            val buf = ByteBuffer.allocateDirect(64)
            s.write(bytes("one"))
            c.awaitReadable()
            c.tryRead(buf) shouldBe 3
            c.tryRead(buf.clear()) shouldBe 0 // drained: answered without a syscall
            s.write(bytes("two"))
            delay(50)
            c.awaitReadable()
            c.tryRead(buf.clear()) shouldBe 3
            val waiting = async { c.awaitReadable() }
            delay(50)
            s.write(bytes("three"))
            waiting.await()
            c.tryRead(buf.clear()) shouldBe 5
            s.closeWrite()
            c.awaitReadable()
            c.tryRead(buf.clear()) shouldBe -1
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("tryRead after a short read still reports a passed read deadline") {
        net {
            val (ln, c, s) = tcpPair()
            s.write(bytes("one"))
            c.read(ByteBuffer.allocateDirect(64)) shouldBe 3
            c.fd.readDrained() shouldBe true
            c.setReadDeadline(Instant.now().minusSeconds(1))
            shouldThrow<DeadlineExceededException> { c.tryRead(ByteBuffer.allocateDirect(64)) }
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("echo ping-pong with short reads never stalls") {
        net {
            val (ln, c, s) = tcpPair()
            val server = async {
                val b = ByteBuffer.allocateDirect(256)
                while (s.read(b.clear()) >= 0) {
                    b.flip()
                    s.write(b)
                }
            }
            val out = ByteBuffer.allocateDirect(64)
            val back = ByteBuffer.allocateDirect(64)
            repeat(20_000) { i ->
                out.clear().putLong(0, i.toLong())
                c.write(out)
                back.clear()
                c.readFully(back)
                back.getLong(0) shouldBe i.toLong()
            }
            c.closeWrite()
            server.await()
            listOf(ln, c, s).forEach { it.close() }
        }
    }
})
