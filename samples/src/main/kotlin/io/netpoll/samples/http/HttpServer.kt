package io.netpoll.samples.http

import io.netpoll.net.Conn
import io.netpoll.samples.server.ServerConn
import io.netpoll.samples.server.ServerRuntime
import io.netpoll.samples.server.TcpServer
import java.nio.ByteBuffer
import java.time.Instant

/**
 * The HTTP/1.1 server: one coroutine per connection running read → [HttpSession.process] → write,
 * with keep-alive and pipelining.
 *
 * Read deadlines make it slowloris-safe: a connection between requests may idle for
 * [idleTimeoutMillis]; once the first byte of a request arrives, the whole request (head and body)
 * must arrive within [requestTimeoutMillis] of that moment, however slowly it trickles in. Both
 * end the connection silently (like Go's net/http with ReadTimeout/IdleTimeout). On shutdown a
 * connection between requests closes at once, and a request under way may still arrive (within
 * its deadline and the grace period) and is answered with `Connection: close`.
 */
class HttpServer(
    private val maxHeaderBytes: Int = 8 * 1024,
    private val maxBodyBytes: Int = 1024 * 1024,
    private val idleTimeoutMillis: Long = 60_000,
    private val requestTimeoutMillis: Long = 10_000,
) {
    /** Starts the server on [address]. */
    fun start(runtime: ServerRuntime, address: String): TcpServer {
        lateinit var server: TcpServer
        val routes = HttpRoutes {
            runtime.statsJson(listOf("http_connections" to server.connections))
        }
        server = TcpServer("http", runtime, address) { c -> serve(c, routes) }
        return server.start()
    }

    private suspend fun TcpServer.serve(sc: ServerConn, routes: HttpRoutes) {
        val c = sc.conn
        val session = HttpSession(routes, maxHeaderBytes, maxBodyBytes)
        val maxInput = maxHeaderBytes + 2 * maxBodyBytes + 64 * 1024
        var input = ByteBuffer.allocateDirect(16 * 1024)
        var requestStartMillis = 0L
        while (true) {
            val mid = session.midRequest
            val deadline = if (mid) requestStartMillis + requestTimeoutMillis else System.currentTimeMillis() + idleTimeoutMillis
            if (!sc.prepareRead(mid, Instant.ofEpochMilli(deadline))) return
            if (!input.hasRemaining()) {
                if (input.capacity() >= maxInput) {
                    session.inputOverflow()
                    flush(c, session)
                    return
                }
                input = grow(input)
            }
            if (c.read(input) < 0) return
            if (!mid) requestStartMillis = System.currentTimeMillis()
            input.flip()
            val keep = session.process(input, draining)
            input.compact()
            flush(c, session)
            if (!keep) return
        }
    }

    private suspend fun flush(c: Conn, session: HttpSession) {
        val out = session.out
        if (out.size == 0) return
        c.write(out.buffer.flip())
        out.clear()
    }

    private fun grow(input: ByteBuffer): ByteBuffer {
        val bigger = ByteBuffer.allocateDirect(input.capacity() * 2)
        input.flip()
        bigger.put(input)
        return bigger
    }

    companion object {
        const val DEFAULT_ADDRESS = "127.0.0.1:8080"
    }
}
