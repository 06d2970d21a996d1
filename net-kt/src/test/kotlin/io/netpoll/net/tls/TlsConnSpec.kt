package io.netpoll.net.tls

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.netpoll.DeadlineExceededException
import io.netpoll.net.bytes
import io.netpoll.net.net
import io.netpoll.net.parkedWaiters
import io.netpoll.net.text
import io.netpoll.testing.TestCerts
import io.netpoll.testing.TlsPair
import kotlinx.coroutines.async
import kotlinx.coroutines.launch
import java.nio.ByteBuffer
import java.time.Instant

/** Our TLS client against our TLS server: handshake, state, data both ways, close_notify. */
class TlsConnSpec : FunSpec({
    val on = TestCerts.available

    test("a client and server of ours handshake, agree on the state, and exchange data").config(enabled = on) {
        net {
            val (ln, c, s) = TlsPair.pair(TlsPair.serverConfig { alpn("h2", "http/1.1") }, TlsPair.clientConfig { alpn("http/1.1") })
            val echo = launch {
                val buf = ByteBuffer.allocate(100)
                while (true) {
                    buf.clear()
                    if (s.read(buf) < 0) break
                    buf.flip()
                    s.write(buf)
                }
                s.close()
            }
            c.write(bytes("hello"))
            val got = ByteBuffer.allocate(5)
            c.readFully(got)
            got.text() shouldBe "hello"
            val cs = c.connectionState()
            val ss = s.connectionState()
            cs.handshakeComplete shouldBe true
            cs.version shouldBe "TLSv1.3"
            cs.negotiatedProtocol shouldBe "http/1.1"
            ss.negotiatedProtocol shouldBe "http/1.1"
            cs.cipherSuite shouldBe ss.cipherSuite
            cs.peerCertificates.first().subjectX500Principal.name shouldBe "CN=localhost"
            ss.peerCertificates shouldBe emptyList()
            c.closeWrite()
            echo.join()
            c.read(ByteBuffer.allocate(10)) shouldBe -1
            c.close()
            ln.close()
        }
    }

    test("nanoTime deadlines set on a TLS connection reach its socket: read, write and both").config(enabled = on) {
        net {
            val (ln, c, s) = TlsPair.pair()
            c.setReadDeadlineNanos(System.nanoTime() + 100_000_000)
            shouldThrow<DeadlineExceededException> { c.read(ByteBuffer.allocate(10)) }
            c.setReadDeadline(null as Instant?)
            s.write(bytes("x"))
            c.readFully(ByteBuffer.allocate(1))

            c.conn.setWriteBuffer(32 * 1024)
            s.conn.setReadBuffer(32 * 1024)
            c.setWriteDeadlineNanos(System.nanoTime() + 100_000_000)
            val big = ByteBuffer.allocate(4 shl 20)
            shouldThrow<DeadlineExceededException> { c.write(big) } // the server does not read

            c.setDeadlineNanos(System.nanoTime() + 100_000_000)
            shouldThrow<DeadlineExceededException> { c.read(ByteBuffer.allocate(10)) }
            listOf(c, s, ln).forEach { it.close() }
        }
    }

    test("closeRead ends a read that is waiting with end of stream, not a truncation").config(enabled = on) {
        net {
            val (ln, c, s) = TlsPair.pair()
            listOf(async { c.handshake() }, async { s.handshake() }).forEach { it.await() }
            val reader = async { s.read(ByteBuffer.allocate(100)) }
            while (parkedWaiters() == 0) kotlinx.coroutines.delay(1)
            s.closeRead()
            reader.await() shouldBe -1
            listOf(c, s, ln).forEach { it.close() }
        }
    }

    /** The connection's buffers, read through reflection: the seam stays in the test. */
    fun TlsConn.buffersHeld(): List<String> = listOf("netIn", "appIn", "netOut").filter { name ->
        TlsConn::class.java.getDeclaredField(name).apply { isAccessible = true }.get(this) != null
    }

    test("an idle connection holds no buffer after the handshake, after data, and while a read waits").config(enabled = on) {
        net {
            val (ln, c, s) = TlsPair.pair()
            c.buffersHeld() shouldBe emptyList()
            s.buffersHeld() shouldBe emptyList()
            val reader = async { s.read(ByteBuffer.allocate(100)) }
            while (parkedWaiters() == 0) kotlinx.coroutines.delay(1)
            s.buffersHeld() shouldBe emptyList()
            c.write(bytes("ping"))
            reader.await() shouldBe 4
            s.write(bytes("pong"))
            c.readFully(ByteBuffer.allocate(4))
            c.buffersHeld() shouldBe emptyList()
            s.buffersHeld() shouldBe emptyList()
            listOf(c, s, ln).forEach { it.close() }
        }
    }
})
