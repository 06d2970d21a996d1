package io.netpoll.samples.server

import io.netpoll.net.Listener
import io.netpoll.net.Net
import io.netpoll.net.StreamConn
import io.netpoll.net.tls.Tls
import io.netpoll.net.tls.TlsConfig
import io.netpoll.net.tls.TlsConn
import kotlinx.coroutines.CoroutineExceptionHandler
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeoutOrNull
import sun.misc.Signal
import sun.misc.SignalHandler
import java.io.IOException
import java.lang.System.Logger.Level
import java.net.InetSocketAddress
import java.nio.channels.ClosedChannelException
import java.time.Instant
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicLong

/**
 * The skeleton every sample server shares: Go's `for { c := ln.Accept(); go serve(c) }` on a
 * coroutine dispatcher, plus graceful shutdown.
 *
 * Shutdown ([shutdown], also run on SIGINT/SIGTERM by [shutdownOnSignal]), as Go's
 * http.Server.Shutdown: stop accepting (close the listener), set [draining], and end every
 * connection that is between requests at once (its read deadline moves to now); a connection in
 * the middle of a request keeps its request deadline, capped at the end of the grace period, and
 * is answered and closed ([ServerConn] has the protocol; handlers close after their current reply
 * while [draining]). After [graceMillis] whatever is left is closed.
 *
 * A failed accept (out of descriptors: EMFILE, ENFILE) is retried after a wait that doubles from
 * 5 ms to 1 s ([AcceptBackoff], as Go's Server.Serve) and logged at most once a second; a
 * connection of this server closing frees a descriptor and ends the wait early, so the server
 * accepts again as soon as it can. Messages go to the `System.Logger` named after this class.
 *
 * With [tls] every accepted connection is a TLS server ([TlsConn]); its handshake runs in the
 * connection's own coroutine, within [handshakeTimeoutMillis], before the handler sees it, so
 * a slow or silent client holds up nobody else. A failed handshake (plaintext sent to the TLS
 * port, an unknown CA, a client without the required certificate) closes that connection after
 * the JDK's alert and is logged at DEBUG only: bad clients must not fill the log.
 */
class TcpServer(
    val name: String,
    val runtime: ServerRuntime,
    address: String,
    private val graceMillis: Long = 5_000,
    private val tls: TlsConfig? = null,
    private val handshakeTimeoutMillis: Long = HANDSHAKE_TIMEOUT_MILLIS,
    private val handler: suspend TcpServer.(ServerConn) -> Unit,
) {
    private val listener: Listener = Net.listen("tcp", address)
    // An exception other than an IOException (a bug in a handler) ends its connection only, and
    // is logged with its stack trace instead of reaching the thread's uncaught-exception handler.
    private val scope = CoroutineScope(SupervisorJob() + runtime.dispatcher + CoroutineExceptionHandler { _, e -> log.log(Level.ERROR, "$name: $e", e) })
    private val conns = ConcurrentHashMap.newKeySet<ServerConn>()
    private val stopping = AtomicBoolean()
    private val backgroundJobs = ConcurrentHashMap.newKeySet<Job>()
    private val backoff = AcceptBackoff(name, log)

    /**
     * The accept loop waits after a failed accept; a closed connection or [shutdown] wakes it. A
     * closer counts itself in [connsClosed] and then sends a wake if [acceptWaiting]; the loop sets
     * [acceptWaiting] and then checks whether [connsClosed] moved since its accept, so a close in
     * between is seen by one side or the other.
     */
    @Volatile
    private var acceptWaiting = false
    private val connsClosed = AtomicLong()
    private val acceptWake = Channel<Unit>(Channel.CONFLATED)

    // Made now, not on the first failure: out of descriptors, a class not yet loaded from a
    // directory on the classpath cannot be read.
    private val awaitWake: suspend CoroutineScope.() -> Unit = { acceptWake.receive() }

    /** When the grace period ends (a nanoTime value); [Timeout.NO_DEADLINE] while the server runs. */
    @Volatile
    internal var drainEnd = Timeout.NO_DEADLINE
        private set

    /** Shutting down: no new connections, and connections close after their current request. */
    val draining: Boolean get() = drainEnd != Timeout.NO_DEADLINE

    val port: Int get() = (listener.localAddress as InetSocketAddress).port

    /** `host:port` actually bound (port 0 resolved). */
    val boundAddress: String
        get() = (listener.localAddress as InetSocketAddress).let { "${it.address.hostAddress}:${it.port}" }

    val connections: Int get() = conns.size

    /** Starts accepting. */
    fun start(): TcpServer {
        scope.launch { acceptLoop() }
        return this
    }

    /**
     * Prints `<name>: listening on <addr>`, the line scripts wait for before they connect or signal;
     * so a command-line server prints it only after [shutdownOnSignal] is in place.
     */
    fun announce(): TcpServer {
        println("$name: listening on $boundAddress")
        System.out.flush()
        return this
    }

    private suspend fun acceptLoop() {
        while (true) {
            val closedBefore = connsClosed.get()
            val c = try {
                listener.accept()
            } catch (e: ClosedChannelException) {
                return
            } catch (e: IOException) {
                if (draining) return
                // EMFILE and ENFILE above all. Go's Serve returns on an error it does not deem
                // temporary; here every one is retried, since a server that stopped accepting
                // would say so once and then serve nobody.
                val wait = backoff.failed(e)
                acceptWaiting = true
                val woken = connsClosed.get() != closedBefore || withTimeoutOrNull(wait, awaitWake) != null
                acceptWaiting = false
                // A descriptor was freed: if it is not yet back (a close finishes once the last
                // call in flight on that socket leaves), the next failure waits the first step again.
                if (woken) backoff.descriptorFreed()
                continue
            }
            backoff.accepted()
            val sc = ServerConn(if (tls != null) Tls.server(c, tls) else c, this)
            conns.add(sc)
            // Accepted while shutdown was draining the others: [shutdown] may not have seen it.
            drainEnd.let { if (it != Timeout.NO_DEADLINE) sc.drain(it) }
            scope.launch {
                try {
                    if (handshake(sc.conn)) handler(sc)
                } catch (e: IOException) {
                    // A peer reset, a deadline during shutdown or a closed socket ends only this connection.
                } finally {
                    conns.remove(sc)
                    c.close()
                    // A descriptor is free: an accept waiting out EMFILE can try again now.
                    connsClosed.incrementAndGet()
                    if (acceptWaiting) acceptWake.trySend(Unit)
                }
            }
        }
    }

    /** Runs a TLS connection's handshake within its timeout; false (logged at DEBUG) if it fails. */
    private suspend fun handshake(conn: StreamConn): Boolean {
        if (conn !is TlsConn) return true
        try {
            conn.setDeadline(Instant.now().plusMillis(handshakeTimeoutMillis))
            conn.handshake()
            conn.setDeadline(null)
            return true
        } catch (e: IOException) {
            if (log.isLoggable(Level.DEBUG)) log.log(Level.DEBUG, "$name: TLS handshake with ${peer(conn)} failed: $e")
            return false
        }
    }

    private fun peer(conn: StreamConn): String = try {
        conn.remoteAddress.toString()
    } catch (e: IOException) {
        "a closed connection"
    }

    /**
     * Stops accepting, closes idle connections, lets in-flight requests finish within
     * [graceMillis], then closes what is left. Blocks until done; idempotent.
     */
    fun shutdown() {
        if (!stopping.compareAndSet(false, true)) return
        val end = Timeout.after(graceMillis)
        drainEnd = end
        listener.close()
        acceptWake.trySend(Unit)
        for (j in backgroundJobs) j.cancel()
        for (c in conns) c.drain(end)
        runBlocking {
            withTimeoutOrNull(graceMillis) {
                while (conns.isNotEmpty()) delay(DRAIN_TICK_MILLIS)
            }
        }
        for (c in conns) c.conn.close()
        runBlocking { withTimeoutOrNull(graceMillis) { scope.coroutineContext[Job]!!.children.forEach { it.join() } } }
        scope.coroutineContext[Job]!!.cancel()
        runtime.close()
    }

    /** Runs [block] on the server's dispatcher until shutdown (timers, stats lines). */
    fun background(block: suspend CoroutineScope.() -> Unit) {
        backgroundJobs.add(scope.launch(block = block))
    }

    /** Blocks until [shutdown] has finished. */
    fun awaitTermination() {
        runBlocking { scope.coroutineContext[Job]!!.join() }
    }

    /**
     * Runs [shutdown] on SIGINT and SIGTERM, after which [awaitTermination] returns and the
     * process can exit with status 0 (a JVM shutdown hook would exit with 128 + the signal).
     * A process started with SIGINT ignored (a background job of a non-interactive shell) cannot
     * catch it; that is logged (a line on stderr from the command line), and SIGTERM still works.
     */
    fun shutdownOnSignal(): TcpServer {
        val handler = SignalHandler { sig ->
            log.log(Level.INFO, "$name: shutting down (SIG${sig.name})")
            shutdown()
        }
        for ((sig, other) in listOf("INT" to "TERM", "TERM" to "INT")) {
            if (Signal.handle(Signal(sig), handler) == SignalHandler.SIG_IGN) {
                log.log(Level.WARNING, "$name: SIG$sig is ignored by this process (inherited from its parent); stop it with SIG$other")
            }
        }
        return this
    }

    companion object {
        private val log: System.Logger = System.getLogger(TcpServer::class.java.name)
        private const val DRAIN_TICK_MILLIS = 50L
        /** How long a client may take over its TLS handshake (Go's http.Transport allows a server 10 s too). */
        const val HANDSHAKE_TIMEOUT_MILLIS = 10_000L
    }
}
