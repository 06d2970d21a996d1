package io.netpoll.net.tls

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.assertions.throwables.shouldThrowAny
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import io.kotest.matchers.types.shouldBeSameInstanceAs
import io.netpoll.DeadlineExceededException
import io.netpoll.net.Net
import io.netpoll.net.bytes
import io.netpoll.net.net
import io.netpoll.net.port
import io.netpoll.net.text
import io.netpoll.testing.TestCerts
import io.netpoll.testing.TlsPair
import kotlinx.coroutines.async
import java.nio.ByteBuffer
import java.time.Instant
import javax.net.ssl.SSLException
import javax.net.ssl.SSLHandshakeException
import kotlin.time.Duration.Companion.milliseconds

/**
 * Peers that fail a handshake, each with its precise exception, and a listener that goes on
 * serving good clients after every one: a silent peer (deadline), garbage or plaintext instead of
 * TLS, an untrusted certificate, a name mismatch, a missing client certificate.
 */
class TlsFailureSpec : FunSpec({
    val on = TestCerts.available

    /** Our TLS listener still serves a good client of ours. */
    suspend fun kotlinx.coroutines.CoroutineScope.stillServes(ln: TlsListener) {
        val accepted = async { ln.accept().use { s -> val b = ByteBuffer.allocate(4); s.readFully(b); s.write(b.flip()) } }
        Tls.dial("tcp", "127.0.0.1:${ln.listener.port}", TlsPair.clientConfig(), timeout = 5_000.milliseconds).use { c ->
            c.write(bytes("good"))
            val b = ByteBuffer.allocate(4)
            c.readFully(b)
            b.text() shouldBe "good"
        }
        accepted.await()
    }

    test("a peer that never answers: the dial timeout ends the handshake with DeadlineExceededException").config(enabled = on) {
        net {
            val silent = Net.listen("tcp", "127.0.0.1:0")
            val held = async { silent.accept() }
            val started = System.nanoTime()
            shouldThrow<DeadlineExceededException> {
                Tls.dial("tcp", "127.0.0.1:${silent.port}", TlsPair.clientConfig(), timeout = 300.milliseconds)
            }
            println("handshake against a silent peer ended after ${(System.nanoTime() - started) / 1_000_000} ms (timeout 300 ms)")
            held.await().close()
            silent.close()
        }
    }

    test("a client that sends nothing: the server's read deadline ends its handshake; the listener serves on").config(enabled = on) {
        net {
            val ln = Tls.listen("tcp", "127.0.0.1:0", TlsPair.serverConfig())
            val quiet = Net.dial("tcp", "127.0.0.1:${ln.listener.port}")
            val s = ln.accept()
            s.setReadDeadline(Instant.now().plusMillis(200))
            shouldThrow<DeadlineExceededException> { s.handshake() }
            s.close()
            quiet.close()
            stillServes(ln)
            ln.close()
        }
    }

    test("plaintext instead of a ClientHello: SSLException on the server, an alert to the client, and it is kept").config(enabled = on) {
        net {
            val ln = Tls.listen("tcp", "127.0.0.1:0", TlsPair.serverConfig())
            val plain = Net.dial("tcp", "127.0.0.1:${ln.listener.port}")
            plain.write(bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
            val s = ln.accept()
            val first = shouldThrowAny { s.handshake() }
            first.shouldBeInstanceOf<SSLException>()
            // Go's handshakeErr: every later call gets the same failure.
            shouldThrowAny { s.read(ByteBuffer.allocate(1)) } shouldBeSameInstanceAs first
            val alert = ByteBuffer.allocate(16)
            plain.read(alert)
            alert.get(0) shouldBe 0x15.toByte() // the TLS alert record
            println("plaintext to a TLS server: ${first.javaClass.simpleName}: ${first.message}")
            listOf(s, plain).forEach { it.close() }
            stillServes(ln)
            ln.close()
        }
    }

    test("a TLS client of ours talking to a plaintext server: SSLException").config(enabled = on) {
        net {
            val ln = Net.listen("tcp", "127.0.0.1:0")
            val answer = async { ln.accept().use { it.write(bytes("HTTP/1.1 400 Bad Request\r\n\r\n")); it.read(ByteBuffer.allocate(1000)) } }
            val e = shouldThrowAny { Tls.dial("tcp", "127.0.0.1:${ln.port}", TlsPair.clientConfig(), timeout = 5_000.milliseconds) }
            e.shouldBeInstanceOf<SSLException>()
            answer.await()
            ln.close()
        }
    }

    test("an untrusted certificate and a name mismatch are SSLHandshakeExceptions on the client").config(enabled = on) {
        net {
            val ln = Tls.listen("tcp", "127.0.0.1:0", TlsPair.serverConfig())
            val other = Tls.listen("tcp", "127.0.0.1:0", tlsConfig { certificate(TestCerts.file("other.pem"), TestCerts.file("other.key")) })
            for ((listener, config) in listOf(ln to tlsConfig {}, other to TlsPair.clientConfig())) {
                val server = async { runCatching { listener.accept().use { it.handshake() } } }
                shouldThrow<SSLHandshakeException> {
                    Tls.dial("tcp", "localhost:${listener.listener.port}", config, timeout = 5_000.milliseconds)
                }
                server.await().exceptionOrNull().shouldBeInstanceOf<SSLException>()
            }
            stillServes(ln)
            listOf(ln, other).forEach { it.close() }
        }
    }

    test("mutual TLS: a client without a certificate is refused, one with the CA's certificate is served").config(enabled = on) {
        net {
            val ln = Tls.listen("tcp", "127.0.0.1:0", TlsPair.serverConfig {
                clientCAs(TestCerts.ca)
                clientAuth = ClientAuth.REQUIRE_AND_VERIFY
            })
            val refused = async { runCatching { ln.accept().use { it.handshake() } } }
            // TLS 1.3: the client's handshake ends before the server checks it; the refusal
            // arrives as an alert that its first read throws.
            val e = shouldThrowAny {
                Tls.dial("tcp", "localhost:${ln.listener.port}", TlsPair.clientConfig(), timeout = 5_000.milliseconds).use {
                    it.read(ByteBuffer.allocate(1))
                }
            }
            e.shouldBeInstanceOf<SSLException>()
            refused.await().exceptionOrNull().shouldBeInstanceOf<SSLHandshakeException>()
            val withCert = TlsPair.clientConfig { certificate(TestCerts.file("client.pem"), TestCerts.file("client.key")) }
            val served = async {
                ln.accept().use { s ->
                    val b = ByteBuffer.allocate(4)
                    s.readFully(b)
                    s.write(b.flip())
                    s.connectionState().peerCertificates.first().subjectX500Principal.name
                }
            }
            Tls.dial("tcp", "localhost:${ln.listener.port}", withCert, timeout = 5_000.milliseconds).use { c ->
                c.write(bytes("good"))
                val b = ByteBuffer.allocate(4)
                c.readFully(b)
                b.text() shouldBe "good"
            }
            served.await() shouldBe "CN=netpoll test client"
            ln.close()
        }
    }
})
