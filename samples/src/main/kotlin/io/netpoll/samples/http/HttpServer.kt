package io.netpoll.samples.http

import io.netpoll.net.Conn
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
 * end the connection silently (like Go's net/http with ReadTimeout/IdleTimeout).
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

    private suspend fun TcpServer.serve(c: Conn, routes: HttpRoutes) {
        val session = HttpSession(routes, maxHeaderBytes, maxBodyBytes)
        val maxInput = maxHeaderBytes + 2 * maxBodyBytes + 64 * 1024
        var input = ByteBuffer.allocateDirect(16 * 1024)
        var requestStartMillis = 0L
        while (true) {
            if (!draining) {
                val now = System.currentTimeMillis()
                val deadline = if (session.midRequest) requestStartMillis + requestTimeoutMillis else now + idleTimeoutMillis
                c.setReadDeadline(Instant.ofEpochMilli(deadline))
            }
            if (!input.hasRemaining()) {
                if (input.capacity() >= maxInput) {
                    session.inputOverflow()
                    flush(c, session)
                    return
                }
                input = grow(input)
            }
            val wasMid = session.midRequest
            if (c.read(input) < 0) return
            if (!wasMid) requestStartMillis = System.currentTimeMillis()
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
