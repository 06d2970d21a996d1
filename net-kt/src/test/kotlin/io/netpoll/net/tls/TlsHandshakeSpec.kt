package io.netpoll.net.tls

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import io.netpoll.testing.Openssl
import io.netpoll.testing.TestCerts
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.Socket
import java.security.cert.CertificateException
import java.security.cert.X509Certificate
import java.util.concurrent.CompletableFuture
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeUnit
import javax.net.ssl.SSLHandshakeException
import javax.net.ssl.SSLServerSocket
import javax.net.ssl.SSLSocket
import kotlin.concurrent.thread

/**
 * [TlsConfig] over real handshakes with `openssl s_client` / `s_server` on 127.0.0.1: the JDK's
 * own SSLSocket and SSLServerSocket stand in for our TLS connection, built from the config's
 * SSLContext and carrying the parameters of the engine it makes.
 */
class TlsHandshakeSpec : FunSpec({
    val on = TestCerts.available
    fun f(name: String) = TestCerts.file(name)
    fun p(name: String) = Openssl.path(name)

    test("a server handshakes with openssl s_client using each key form openssl writes").config(enabled = on) {
        for ((cert, key) in listOf("rsa.pem" to "rsa.key", "rsa.pem" to "rsa-pkcs1.key", "ec.pem" to "ec.key",
                "ec.pem" to "ec-sec1.key", "ed25519.pem" to "ed25519.key")) {
            val server = OneServer(tlsConfig { certificate(f(cert), f(key)) })
            val out = Openssl.client(server.port, "-CAfile", p("ca.pem"), "-verify_return_error", "-servername", "localhost").out
            server.session()
            out shouldContain "Verify return code: 0 (ok)"
            println("handshake with $cert + $key: ${out.lines().first { it.contains("New, ") }.trim()}")
        }
    }

    test("a KeyStore or an SSLContext a Java user already has serves too, with ALPN still applied").config(enabled = on) {
        val store = java.security.KeyStore.getInstance("PKCS12")
        java.nio.file.Files.newInputStream(f("ec.p12")).use { store.load(it, "changeit".toCharArray()) }
        val fromStore = OneServer(tlsConfig { keyStore(store, "changeit".toCharArray()); alpn("http/1.1") })
        Openssl.client(fromStore.port, "-CAfile", p("ca.pem"), "-verify_return_error", "-alpn", "http/1.1").out shouldContain "ALPN protocol: http/1.1"
        fromStore.session()
        val context = javax.net.ssl.SSLContext.getInstance("TLS").apply {
            init(javax.net.ssl.KeyManagerFactory.getInstance("PKIX").apply { init(store, "changeit".toCharArray()) }.keyManagers, null, null)
        }
        val fromContext = OneServer(TlsConfig.builder().sslContext(context).alpn("http/1.1").build())
        Openssl.client(fromContext.port, "-CAfile", p("ca.pem"), "-verify_return_error", "-alpn", "http/1.1").out shouldContain "ALPN protocol: http/1.1"
        fromContext.session()
    }

    test("the server presents the certificate matching the client's SNI name, else the first").config(enabled = on) {
        val config = tlsConfig { certificate(f("rsa.pem"), f("rsa.key")); certificate(f("other.pem"), f("other.key")) }
        for ((name, cn) in listOf("other.example" to "other.example", "localhost" to "localhost", "unknown.example" to "localhost")) {
            val server = OneServer(config)
            val out = Openssl.client(server.port, "-servername", name).out
            server.session()
            out shouldContain "subject=CN = $cn"
            println("SNI $name -> CN=$cn")
        }
    }

    test("ALPN negotiates http/1.1 with openssl s_client -alpn http/1.1").config(enabled = on) {
        val server = OneServer(tlsConfig { certificate(f("ec.pem"), f("ec.key")); alpn("h2", "http/1.1") })
        val out = Openssl.client(server.port, "-alpn", "http/1.1").out
        server.session()
        server.alpn shouldBe "http/1.1"
        out shouldContain "ALPN protocol: http/1.1"
    }

    test("a minimum version of TLS 1.3 refuses a TLS 1.2-only client with SSLHandshakeException").config(enabled = on) {
        val strict = OneServer(tlsConfig { certificate(f("ec.pem"), f("ec.key")); minVersion = TlsVersion.TLS13 })
        Openssl.client(strict.port, "-tls1_2")
        shouldThrow<SSLHandshakeException> { strict.session() }.also { println("TLS 1.3 minimum vs -tls1_2: ${it.message}") }
        val lenient = OneServer(tlsConfig { certificate(f("ec.pem"), f("ec.key")) })
        Openssl.client(lenient.port, "-tls1_2")
        lenient.session().protocol shouldBe "TLSv1.2"
    }

    test("client auth REQUIRE_AND_VERIFY refuses a client without a certificate and accepts one with").config(enabled = on) {
        val config = tlsConfig {
            certificate(f("ec.pem"), f("ec.key")); clientAuth = ClientAuth.REQUIRE_AND_VERIFY; clientCAs(TestCerts.ca)
        }
        val without = OneServer(config)
        Openssl.client(without.port)
        shouldThrow<SSLHandshakeException> { without.session() }.also { println("no client certificate: ${it.message}") }
        val with = OneServer(config)
        Openssl.client(with.port, "-cert", p("client.pem"), "-key", p("client.key"))
        (with.session().peerCertificates[0] as X509Certificate).subjectX500Principal.name shouldBe "CN=netpoll test client"
    }

    test("a client offers its certificate to a server that requires one (openssl s_server -Verify)").config(enabled = on) {
        Openssl.Server("-cert", p("ec.pem"), "-key", p("ec.key"), "-Verify", "1", "-CAfile", p("ca.pem"), "-verify_return_error", "-www").use { s ->
            val config = tlsConfig { rootCAs(TestCerts.ca); certificate(f("client.pem"), f("client.key")) }
            dial(config, "localhost", s.port).use { sock ->
                sock.outputStream.write("GET / HTTP/1.0\r\n\r\n".toByteArray())
                sock.inputStream.bufferedReader().readLine() shouldContain "200"
            }
        }
    }

    test("a client verifies the server's name: localhost and 127.0.0.1 pass, a certificate for another name fails").config(enabled = on) {
        val config = tlsConfig { rootCAs(TestCerts.ca) }
        for (host in listOf("localhost", "127.0.0.1")) {
            Openssl.Server("-cert", p("rsa.pem"), "-key", p("rsa.key"), "-www").use { s -> dial(config, host, s.port).close() }
        }
        Openssl.Server("-cert", p("other.pem"), "-key", p("other.key"), "-www").use { s ->
            val e = shouldThrow<SSLHandshakeException> { dial(config, "localhost", s.port) }
            e.cause.shouldBeInstanceOf<CertificateException>().message shouldContain "localhost"
            println("name mismatch: ${e.cause?.message}")
        }
        Openssl.Server("-cert", p("other.pem"), "-key", p("other.key"), "-www").use { s ->
            shouldThrow<SSLHandshakeException> { dial(tlsConfig { }, "localhost", s.port) } // the default roots do not know our CA
        }
    }

    test("insecureSkipVerifyForTestsOnly accepts a certificate for another name from an unknown CA").config(enabled = on) {
        Openssl.Server("-cert", p("other.pem"), "-key", p("other.key"), "-www").use { s ->
            dial(tlsConfig { insecureSkipVerifyForTestsOnly() }, "localhost", s.port).use { sock ->
                (sock.session.peerCertificates[0] as X509Certificate).subjectX500Principal.name shouldBe "CN=other.example"
            }
        }
    }
})

/** Our client: an SSLSocket layered on a loopback socket, with [config]'s client engine parameters. */
private fun dial(config: TlsConfig, host: String, port: Int): SSLSocket {
    val raw = Socket()
    raw.connect(InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000)
    raw.soTimeout = 30_000
    val s = config.clientContext.socketFactory.createSocket(raw, host, port, true) as SSLSocket
    s.sslParameters = config.clientEngine(host, port).sslParameters
    try {
        s.startHandshake()
    } catch (e: Exception) {
        s.close()
        throw e
    }
    return s
}

/** Our server: accepts one connection on 127.0.0.1 and handshakes it with [config]'s server parameters. */
private class OneServer(config: TlsConfig) {
    private val socket = (config.serverContext.serverSocketFactory.createServerSocket(0, 1, InetAddress.getLoopbackAddress()) as SSLServerSocket)
        .apply { sslParameters = config.serverEngine().sslParameters; soTimeout = 30_000 }
    val port = socket.localPort
    private val done = CompletableFuture<javax.net.ssl.SSLSession>()
    @Volatile var alpn: String? = null

    init {
        thread(isDaemon = true, name = "tls-test-server") {
            try {
                socket.use { (it.accept() as SSLSocket).use { c -> c.soTimeout = 30_000; c.startHandshake(); alpn = c.applicationProtocol; done.complete(c.session) } }
            } catch (e: Throwable) {
                done.completeExceptionally(e)
            }
        }
    }

    /** The handshake's session, or the exception it failed with. */
    fun session(): javax.net.ssl.SSLSession = try {
        done.get(30, TimeUnit.SECONDS)
    } catch (e: ExecutionException) {
        throw e.cause!!
    }
}
