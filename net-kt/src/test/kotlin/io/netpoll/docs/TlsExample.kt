package io.netpoll.docs

import io.netpoll.dispatcher.Netpoll
import io.netpoll.net.*
import io.netpoll.net.tls.*
import kotlinx.coroutines.*
import java.net.InetSocketAddress
import java.nio.file.Path
import kotlin.time.Duration.Companion.seconds

/** [cert] and [key]: the server's PEM certificate and key; [ca]: the PEM CA the client trusts. */
fun greetOverTls(cert: Path, key: Path, ca: Path) = runBlocking(Dispatchers.Netpoll) {
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
