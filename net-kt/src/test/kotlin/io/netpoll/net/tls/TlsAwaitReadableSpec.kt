package io.netpoll.net.tls

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.netpoll.net.Net
import io.netpoll.net.bytes
import io.netpoll.net.net
import io.netpoll.net.port
import io.netpoll.testing.TestCerts
import io.netpoll.testing.Relay
import io.netpoll.testing.TlsPair
import kotlinx.coroutines.async
import kotlinx.coroutines.withTimeoutOrNull
import java.nio.ByteBuffer

/**
 * awaitReadable on a TLS connection means "a read would return something": a partial record is
 * not enough. A relay between our client and server holds back all but the first bytes of a
 * record; the server's awaitReadable must keep waiting (not return at once with tryRead then
 * finding nothing, which made a wait-and-tryRead loop spin), and return once the record is whole.
 */
class TlsAwaitReadableSpec : FunSpec({
    test("awaitReadable waits while only part of a record has arrived, then tryRead reads it").config(enabled = TestCerts.available) {
        net {
            val serverLn = Tls.listen("tcp", "127.0.0.1:0", TlsPair.serverConfig())
            val relay = Relay(this, serverLn.listener.port)
            val accepted = async { serverLn.accept() }
            val c = Tls.client(Net.dial("tcp", "127.0.0.1:${relay.port}"), TlsPair.clientConfig())
            val s = accepted.await()
            val handshakes = listOf(async { c.handshake() }, async { s.handshake() })
            handshakes.forEach { it.await() }
            relay.up.holdAfter(3)
            c.write(bytes("hello"))
            relay.up.awaitLimit()
            // The socket has the 3 bytes: one wait may return for them, and tryRead takes them.
            val dst = ByteBuffer.allocate(64)
            repeat(2) {
                withTimeoutOrNull(200) { s.awaitReadable() }
                s.tryRead(dst) shouldBe 0
            }
            // Now only a partial record is buffered: nothing to read, so the wait must wait.
            withTimeoutOrNull(500) { s.awaitReadable() } shouldBe null
            relay.up.release()
            s.awaitReadable()
            while (dst.position() < 5) {
                if (s.tryRead(dst) == 0) s.awaitReadable()
            }
            String(dst.array(), 0, dst.position()) shouldBe "hello"
            c.close()
            s.close()
            relay.join()
            serverLn.close()
        }
    }
})
