package io.netpoll.net.tls

import io.netpoll.net.Listener
import io.netpoll.poller.fd.NetFD
import java.io.Closeable
import java.io.IOException
import java.net.SocketAddress
import java.util.concurrent.CompletableFuture
import java.util.concurrent.Executor

/**
 * A listener whose connections are TLS servers (Go's tls.listener): [accept] returns as soon as
 * the TCP connection is accepted; its handshake runs on the connection's first use (or
 * [TlsConn.handshake]), so one slow client never holds up the accept loop.
 */
class TlsListener private constructor(
    /** The listening socket under TLS. */
    val listener: Listener,
    private val config: TlsConfig,
) : Closeable {
    val localAddress: SocketAddress
        @Throws(IOException::class)
        get() = listener.localAddress

    val isOpen: Boolean
        get() = listener.isOpen

    /** The next connection, handshake not yet run. */
    @JvmSynthetic
    suspend fun accept(): TlsConn = Tls.server(listener.accept(), config)

    /** [accept] parking the calling thread. */
    @Throws(IOException::class)
    fun acceptBlocking(): TlsConn = Tls.server(listener.acceptBlocking(), config)

    /** [accept] as a future completed on [executor]; cancelling it withdraws the accept. */
    @JvmOverloads
    fun acceptAsync(executor: Executor = NetFD.defaultExecutor()): CompletableFuture<TlsConn> {
        val accept = listener.acceptAsync(executor)
        val tls = accept.thenApply { Tls.server(it, config) }
        // Cancelling the returned future withdraws the accept under it, as Listener.acceptAsync does.
        tls.whenComplete { _, err -> if (err != null) accept.cancel(false) }
        return tls
    }

    /** Closes the listening socket; connections already accepted stay open. */
    override fun close() {
        listener.close()
    }

    override fun toString(): String = "TlsListener[$listener]"

    internal companion object {
        @JvmSynthetic
        fun of(listener: Listener, config: TlsConfig): TlsListener = TlsListener(listener, config)
    }
}
