package io.netpoll.samples.tls

import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import io.netpoll.net.tls.tlsConfig
import io.netpoll.samples.Tools
import io.netpoll.samples.Tools.drainToEnd
import io.netpoll.samples.server.ServerRuntime
import io.netpoll.samples.server.TcpServer
import io.netpoll.testing.TestCerts

/** A TLS server cuts a client that connects and never handshakes, and only that client. */
class TlsHandshakeTimeoutSpec : StringSpec({
    "a client that never starts its handshake is closed at the handshake timeout".config(enabled = TestCerts.available) {
        val config = tlsConfig { certificate(TestCerts.file("ec.pem"), TestCerts.file("ec.key")) }
        var handled = 0
        val server = TcpServer("tls", ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0", tls = config, handshakeTimeoutMillis = 300) {
            handled++
        }.start()
        try {
            Tools.socket(server.port).use { s ->
                val started = System.nanoTime()
                s.drainToEnd(withinMillis = 4_000).first shouldBe Tools.End.EOF
                val millis = (System.nanoTime() - started) / 1_000_000
                println("a silent client was closed after $millis ms (handshake timeout 300 ms)")
                (millis >= 250) shouldBe true
            }
            handled shouldBe 0
        } finally {
            server.shutdown()
        }
    }
})
