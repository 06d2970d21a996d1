package io.netpoll.net.tls

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.netpoll.dispatcher.Netpoll
import io.netpoll.net.BufReader
import io.netpoll.net.BufWriter
import io.netpoll.net.StreamConn
import io.netpoll.testing.TestCerts
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import java.net.InetSocketAddress
import java.nio.file.Path
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit
import kotlin.time.Duration.Companion.seconds

/**
 * The README's TLS example with the README's calls in its order; what differs is only what makes
 * it runnable here: the PEM paths are parameters and `println` is passed in. README.md must show
 * the same code.
 */
fun readmeTlsMain(cert: Path, key: Path, ca: Path, println: (Any?) -> Unit) = runBlocking(Dispatchers.Netpoll) {
    val ln = Tls.listen("tcp", "127.0.0.1:0", tlsConfig { certificate(cert, key); alpn("http/1.1") })
    launch { ln.accept().use { greet(it) } }               // the handshake runs on the first read
    val port = (ln.localAddress as InetSocketAddress).port
    Tls.dial("tcp", "localhost:$port", tlsConfig { rootCAs(ca); alpn("http/1.1") }, timeout = 5.seconds).use { c ->
        println(c.connectionState().negotiatedProtocol)    // http/1.1
        val w = BufWriter(c); w.writeString("netpoll\n"); w.flush()
        println(BufReader(c).readLine())                   // hello, netpoll
    }
    ln.close()
}

/** Plain or TLS: a handler written against StreamConn serves both. */
suspend fun greet(c: StreamConn) {
    val name = BufReader(c).readLine() ?: return
    val w = BufWriter(c); w.writeString("hello, $name\n"); w.flush()
}

class ReadmeTlsExampleSpec : FunSpec({
    test("the README's TLS example negotiates http/1.1 and greets over TLS").config(enabled = TestCerts.available) {
        val printed = mutableListOf<Any?>()
        CompletableFuture.runAsync {
            readmeTlsMain(TestCerts.file("ec.pem"), TestCerts.file("ec.key"), TestCerts.ca) { printed += it }
        }.get(30, TimeUnit.SECONDS)
        printed shouldBe listOf("http/1.1", "hello, netpoll")
    }
})
