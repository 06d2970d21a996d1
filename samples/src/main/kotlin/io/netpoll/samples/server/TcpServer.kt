package io.netpoll.samples.server

import io.netpoll.net.Conn
import io.netpoll.net.Listener
import io.netpoll.net.Net
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeoutOrNull
import java.io.IOException
import java.net.InetSocketAddress
import java.nio.channels.ClosedChannelException
import java.time.Instant
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicBoolean

/**
 * The skeleton every sample server shares: Go's `for { c := ln.Accept(); go serve(c) }` on a
 * coroutine dispatcher, plus graceful shutdown.
 *
 * Shutdown ([shutdown], also run by SIGINT/SIGTERM through a JVM shutdown hook): stop accepting
 * (close the listener), set [draining], and move every connection's read deadline to now, so
 * connections waiting for a request end at once while a request being handled finishes and is
 * answered (handlers check [draining] and close after their current reply). The deadline is
 * re-applied every [DRAIN_TICK_MILLIS] because a handler may set its own deadline concurrently. After
 * [graceMillis] whatever is left is closed.
 */
class TcpServer(
    val name: String,
    val runtime: ServerRuntime,
    address: String,
    private val graceMillis: Long = 5_000,
    private val handler: suspend TcpServer.(Conn) -> Unit,
) {
    private val listener: Listener = Net.listen("tcp", address)
    private val scope = CoroutineScope(SupervisorJob() + runtime.dispatcher)
    private val conns = ConcurrentHashMap.newKeySet<Conn>()
    private val stopping = AtomicBoolean()
    private val backgroundJobs = ConcurrentHashMap.newKeySet<Job>()

    @Volatile
    var draining = false
        private set

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
            val c = try {
                listener.accept()
            } catch (e: ClosedChannelException) {
                return
            } catch (e: IOException) {
                if (draining) return
                // EMFILE and friends: back off like Go's http.Server instead of spinning.
                System.err.println("$name: accept: ${e.message}")
                delay(ACCEPT_BACKOFF_MILLIS)
                continue
            }
            conns.add(c)
            scope.launch {
                try {
                    handler(c)
                } catch (e: IOException) {
                    // A peer reset, a deadline during shutdown or a closed socket ends only this connection.
                } finally {
                    conns.remove(c)
                    c.close()
                }
            }
        }
    }

    /** Stops accepting, lets in-flight requests finish within [graceMillis], then closes. Idempotent. */
    fun shutdown() {
        if (!stopping.compareAndSet(false, true)) return
        draining = true
        listener.close()
        for (j in backgroundJobs) j.cancel()
        runBlocking {
            withTimeoutOrNull(graceMillis) {
                while (conns.isNotEmpty()) {
                    val now = Instant.now()
                    for (c in conns) runCatching { c.setReadDeadline(now) }
                    delay(DRAIN_TICK_MILLIS)
                }
            }
        }
        for (c in conns) c.close()
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

    /** Runs [shutdown] on SIGINT/SIGTERM. */
    fun shutdownOnSignal(): TcpServer {
        java.lang.Runtime.getRuntime().addShutdownHook(Thread({
            System.err.println("$name: shutting down")
            shutdown()
        }, "$name-shutdown"))
        return this
    }

    private companion object {
        const val ACCEPT_BACKOFF_MILLIS = 10L
        const val DRAIN_TICK_MILLIS = 50L
    }
}
