package io.netpoll.testing

import io.netpoll.net.Net
import io.netpoll.net.tls.Tls
import io.netpoll.net.tls.TlsConfig
import io.netpoll.net.tls.TlsConn
import io.netpoll.net.tls.TlsListener
import io.netpoll.net.tls.tlsConfig
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import java.net.InetSocketAddress

/**
 * TLS test fixtures over [TestCerts]: a server config for localhost/127.0.0.1 (EC P-256 key), a
 * client config trusting the test CA, and a connected loopback pair of our own TLS connections.
 */
object TlsPair {
    fun serverConfig(block: TlsConfig.Builder.() -> Unit = {}): TlsConfig =
        tlsConfig { certificate(TestCerts.file("ec.pem"), TestCerts.file("ec.key")); block() }

    fun clientConfig(block: TlsConfig.Builder.() -> Unit = {}): TlsConfig =
        tlsConfig { rootCAs(TestCerts.ca); block() }

    /**
     * Our TLS client over each dialled connection, with a config of its own ([client] makes one per
     * connection), so no connection resumes an earlier one's session; established once its
     * handshake completed.
     */
    fun transport(client: () -> TlsConfig = { clientConfig() }): Transport<TlsConn> =
        Transport("tls", { Tls.client(it, client()) }, { (it as TlsConn).connectionState().handshakeComplete })

    /** A listener, and a client and server connected through it, both handshaken. */
    suspend fun pair(
        server: TlsConfig = serverConfig(),
        client: TlsConfig = clientConfig(),
    ): Triple<TlsListener, TlsConn, TlsConn> = coroutineScope {
        val ln = Tls.listen("tcp", "127.0.0.1:0", server)
        val port = (ln.localAddress as InetSocketAddress).port
        val accepted = async { ln.accept() }
        val c = Tls.client(Net.dial("tcp", "127.0.0.1:$port"), client)
        val s = accepted.await()
        listOf(async { c.handshake() }, async { s.handshake() }).forEach { it.await() }
        Triple(ln, c, s)
    }
}
