package io.netpoll.net.tls

import io.netpoll.net.Conn
import io.netpoll.net.ListenOptions
import io.netpoll.net.Net
import io.netpoll.poller.fd.NetFD
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.future.future
import kotlinx.coroutines.runBlocking
import java.io.IOException
import java.io.InterruptedIOException
import java.net.InetSocketAddress
import java.time.Instant
import java.util.concurrent.CompletableFuture
import java.util.concurrent.Executor
import kotlin.time.Duration
import kotlin.time.toKotlinDuration

/**
 * TLS over net-kt connections (Go's crypto/tls package functions): wrap a connection you have
 * ([client], [server]), dial one ([dial]) or listen for them ([listen], [newListener]).
 */
object Tls {
    /**
     * The client side of TLS over [conn] (Go's tls.Client). The server's certificate is checked
     * against [TlsConfig.serverName], else the host [conn] is connected to (an IP address then).
     * The handshake runs on first use or [TlsConn.handshake].
     */
    @JvmStatic
    fun client(conn: Conn, config: TlsConfig): TlsConn {
        val peer = conn.remoteAddress as? InetSocketAddress
        val engine = if (peer != null) config.clientEngine(peer) else config.clientEngine(
            config.serverName ?: throw IllegalArgumentException("a TLS client over a Unix socket needs TlsConfig.serverName"),
            0,
        )
        return TlsConn.of(conn, engine, config)
    }

    /** The server side of TLS over [conn] (Go's tls.Server); the handshake runs on first use. */
    @JvmStatic
    fun server(conn: Conn, config: TlsConfig): TlsConn = TlsConn.of(conn, config.serverEngine(), config)

    /**
     * Dials [address] and completes the handshake (Go's tls.DialWithDialer). The server's
     * certificate must match [TlsConfig.serverName], else the host in [address]. [timeout] bounds
     * the dial and the handshake together; the connection is closed if either fails.
     */
    @JvmSynthetic
    suspend fun dial(network: String, address: String, config: TlsConfig, timeout: Duration? = null): TlsConn {
        val started = System.nanoTime()
        val conn = Net.dial(network, address, timeout)
        try {
            val tls = TlsConn.of(conn, clientEngine(config, address), config)
            if (timeout != null) {
                conn.setDeadline(deadline(started, timeout))
            }
            tls.handshake()
            if (timeout != null) {
                conn.setDeadline(null)
            }
            return tls
        } catch (e: Throwable) {
            conn.close()
            throw e
        }
    }

    /** [dial] for Java: parks the calling thread; an interrupt ends it with InterruptedIOException. */
    @JvmStatic
    @JvmOverloads
    @Throws(IOException::class)
    fun dialBlocking(network: String, address: String, config: TlsConfig, timeout: java.time.Duration? = null): TlsConn =
        try {
            runBlocking { dial(network, address, config, timeout?.toKotlinDuration()) }
        } catch (e: InterruptedException) {
            Thread.currentThread().interrupt()
            throw InterruptedIOException("interrupted").apply { initCause(e) }
        }

    /** [dial] for Java as a future completed on [executor]; cancelling it abandons the dial. */
    @JvmStatic
    @JvmOverloads
    fun dialAsync(
        network: String,
        address: String,
        config: TlsConfig,
        timeout: java.time.Duration? = null,
        executor: Executor = NetFD.defaultExecutor(),
    ): CompletableFuture<TlsConn> =
        CoroutineScope(executor.asCoroutineDispatcher()).future { dial(network, address, config, timeout?.toKotlinDuration()) }

    /** A TLS listener on [address] (Go's tls.Listen); [config] must hold a certificate. */
    @JvmStatic
    @JvmOverloads
    @Throws(IOException::class)
    fun listen(network: String, address: String, config: TlsConfig, options: ListenOptions = ListenOptions.DEFAULT): TlsListener {
        config.serverEngine() // fails now, not at the first accept, without a certificate
        return TlsListener.of(Net.listen(network, address, options), config)
    }

    /** TLS over the connections [inner] accepts (Go's tls.NewListener). */
    @JvmStatic
    fun newListener(inner: io.netpoll.net.Listener, config: TlsConfig): TlsListener = TlsListener.of(inner, config)

    private fun clientEngine(config: TlsConfig, address: String): javax.net.ssl.SSLEngine {
        val colon = address.lastIndexOf(':')
        if (colon < 0) {
            // A Unix socket path: only the configured name can be checked.
            return config.clientEngine(
                config.serverName ?: throw IllegalArgumentException("dialling $address over TLS needs TlsConfig.serverName"),
                0,
            )
        }
        val host = address.substring(0, colon).removePrefix("[").removeSuffix("]")
        return config.clientEngine(host, address.substring(colon + 1).toIntOrNull() ?: 0)
    }

    private fun deadline(startedNanos: Long, timeout: Duration): Instant {
        val left = timeout.inWholeNanoseconds - (System.nanoTime() - startedNanos)
        return Instant.now().plus(java.time.Duration.ofNanos(left.coerceAtLeast(1)))
    }

}
