package io.netpoll.net.tls

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.netpoll.net.BufReader
import io.netpoll.net.BufWriter
import io.netpoll.net.net
import io.netpoll.testing.Openssl
import io.netpoll.testing.TestCerts
import io.netpoll.testing.TlsPair
import kotlinx.coroutines.async
import java.net.InetSocketAddress
import java.util.concurrent.TimeUnit
import kotlin.concurrent.thread
import kotlin.time.Duration.Companion.seconds

/**
 * Our TLS against OpenSSL's: our client against `openssl s_server` (TLS 1.3 and 1.2, ALPN), our
 * server against `openssl s_client` with data both ways and a TLS 1.3 KeyUpdate in the middle,
 * which the server's read handles without the handler noticing.
 */
class TlsInteropSpec : FunSpec({
    val on = TestCerts.available
    fun p(name: String) = Openssl.path(name)

    for (version in listOf("-tls1_3", "-tls1_2")) {
        test("our client against openssl s_server $version with ALPN").config(enabled = on) {
            Openssl.Server("-cert", p("ec.pem"), "-key", p("ec.key"), version, "-alpn", "http/1.1", "-rev").use { server ->
                net {
                    Tls.dial("tcp", "localhost:${server.port}", TlsPair.clientConfig { alpn("http/1.1") }, timeout = 10.seconds).use { c ->
                        val w = BufWriter(c)
                        w.writeString("hello openssl\n")
                        w.flush()
                        BufReader(c).readLine() shouldBe "lssnepo olleh"
                        val state = c.connectionState()
                        state.version shouldBe if (version == "-tls1_3") "TLSv1.3" else "TLSv1.2"
                        state.negotiatedProtocol shouldBe "http/1.1"
                        println("our client ↔ s_server $version: ${state.version} ${state.cipherSuite}")
                    }
                }
            }
        }
    }

    for (version in listOf("-tls1_3", "-tls1_2")) {
        test("openssl s_client $version against our server: data both ways${if (version == "-tls1_3") ", a key update between" else ""}").config(enabled = on) {
            net(bound = 60.seconds) {
                val ln = Tls.listen("tcp", "127.0.0.1:0", TlsPair.serverConfig())
                val port = (ln.localAddress as InetSocketAddress).port
                val served = async {
                    ln.accept().use { s ->
                        val r = BufReader(s)
                        val w = BufWriter(s)
                        var lines = 0
                        while (true) {
                            val line = r.readLine() ?: break
                            w.writeString("pong:$line\n")
                            w.flush()
                            lines++
                        }
                        lines to s.connectionState().version
                    }
                }
                val p = ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:$port", version, "-CAfile", p("ca.pem"), "-servername", "localhost")
                    .directory(TestCerts.dir.toFile()).redirectErrorStream(true).start()
                val out = StringBuffer()
                val reader = thread { p.inputStream.bufferedReader().forEachLine { out.append(it).append('\n') } }
                // One line per write, apart, so s_client reads "K" alone and takes it as its command.
                // ("K" is TLS 1.3's KeyUpdate; TLS 1.2 has none.)
                for (line in if (version == "-tls1_3") listOf("ping1", "K", "ping2") else listOf("ping1", "ping2")) {
                    p.outputStream.write("$line\n".toByteArray())
                    p.outputStream.flush()
                    Thread.sleep(400)
                }
                p.outputStream.close()
                p.waitFor(20, TimeUnit.SECONDS) shouldBe true
                reader.join(5000)
                val (lines, negotiated) = served.await()
                out.toString() shouldContain "pong:ping1"
                out.toString() shouldContain "pong:ping2"
                if (version == "-tls1_3") out.toString() shouldContain "KEYUPDATE"
                lines shouldBe 2
                negotiated shouldBe if (version == "-tls1_3") "TLSv1.3" else "TLSv1.2"
                ln.close()
            }
        }
    }
})
