package io.netpoll.samples.http

import io.netpoll.net.BufferPool
import io.netpoll.net.tls.TlsConfig
import io.netpoll.samples.server.ServerConn
import io.netpoll.samples.server.ServerRuntime
import io.netpoll.samples.server.TcpServer
import io.netpoll.samples.server.Timeout
import java.io.IOException
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
 *
 * Output is bounded too: the connection reads nothing while a write is blocked, so a client that
 * pipelines requests and never reads the answers holds at most one batch of responses, and each
 * write must finish within [writeTimeoutMillis] or the connection is closed (nginx's send_timeout,
 * Go's WriteTimeout; the RESP sample's reply write timeout).
 *
 * Input memory is what the parser has not yet taken: at most one unfinished head line, so the
 * buffer grows only for lines up to the header limit. Between requests a connection waits with
 * [io.netpoll.net.StreamConn.awaitReadable] holding no input buffer and borrows one from the
 * server's [BufferPool] when bytes arrive (as the echo sample does), so an idle keep-alive
 * connection holds no buffer but its 1 KiB response writer. After a refusal the
 * server half-closes and discards what the client still sends for up to [LINGER_MILLIS] before
 * closing (nginx's lingering close, Go's closeWriteAndWait), so the client reads the error instead
 * of a reset.
 */
class HttpServer(
    private val maxHeaderBytes: Int = 8 * 1024,
    private val maxBodyBytes: Int = 1024 * 1024,
    private val idleTimeoutMillis: Long = 60_000,
    private val requestTimeoutMillis: Long = 10_000,
    private val writeTimeoutMillis: Long = DEFAULT_WRITE_TIMEOUT_MILLIS,
) {
    /** The connections' input buffers, borrowed while a request is being read. */
    private val inputs = BufferPool(INITIAL_INPUT_BYTES)

    // Shared by the connections: a deadline per request, allocating nothing.
    private val idleTimeout = Timeout(idleTimeoutMillis)
    private val writeTimeout = Timeout(writeTimeoutMillis)
    private val requestTimeout = Timeout(requestTimeoutMillis)

    /** Starts the server on [address]; with [tls], HTTPS (give the config ALPN `http/1.1`). */
    fun start(runtime: ServerRuntime, address: String, tls: TlsConfig? = null): TcpServer {
        lateinit var server: TcpServer
        val routes = HttpRoutes {
            runtime.statsJson(listOf("http_connections" to server.connections))
        }
        server = TcpServer("http", runtime, address, tls = tls) { c -> serve(c, routes) }
        return server.start()
    }

    private suspend fun TcpServer.serve(sc: ServerConn, routes: HttpRoutes) {
        val session = HttpSession(routes, maxHeaderBytes, maxBodyBytes)
        // Held only while it holds input the parser has not taken; between requests the
        // connection waits for the socket holding none.
        var input: ByteBuffer? = null
        // The deadline of the request under way (nanoTime), set by its first read.
        var requestDeadline = Timeout.NO_DEADLINE
        try {
            while (true) {
                val mid = session.midRequest
                val deadline = if (mid) requestDeadline else idleTimeout.deadline()
                if (!sc.prepareRead(mid, deadline)) return
                var buf = input
                if (buf == null) {
                    sc.conn.awaitReadable()
                    buf = inputs.get()
                } else if (!buf.hasRemaining()) {
                    // Full: an unfinished head line (the parser refuses one past the header limit).
                    buf = grow(buf)
                }
                input = buf
                if (sc.read(buf) < 0) return
                if (!mid) {
                    requestDeadline = requestTimeout.deadline()
                }
                buf.flip()
                val keep = session.process(buf, draining)
                buf.compact()
                if (buf.position() == 0) {
                    input = null
                    release(buf)
                }
                flush(sc, session)
                if (!keep) {
                    if (session.failed) linger(sc, input ?: inputs.get().also { input = it })
                    return
                }
            }
        } finally {
            input?.let { release(it) }
        }
    }

    /** Gives an input buffer back to [inputs]; a grown one is left to the GC. */
    private fun release(buf: ByteBuffer) {
        if (buf.capacity() == INITIAL_INPUT_BYTES) inputs.put(buf)
    }

    private suspend fun flush(sc: ServerConn, session: HttpSession) {
        val out = session.out
        if (out.size == 0) return
        sc.conn.setWriteDeadlineNanos(writeTimeout.deadline())
        sc.write(out.buffer.flip())
        out.clear()
    }

    private suspend fun linger(sc: ServerConn, scratch: ByteBuffer) {
        sc.conn.closeWrite()
        sc.conn.setReadDeadline(Instant.now().plusMillis(LINGER_MILLIS))
        try {
            while (sc.read(scratch.clear()) >= 0) {
                // Discarded: the request was refused.
            }
        } catch (e: IOException) {
            // The linger period ended (a client still sending may see a reset) or the client reset.
        }
    }

    private fun grow(input: ByteBuffer): ByteBuffer {
        val bigger = ByteBuffer.allocateDirect(input.capacity() * 2)
        input.flip()
        bigger.put(input)
        release(input)
        return bigger
    }

    companion object {
        const val DEFAULT_ADDRESS = "127.0.0.1:8080"

        /** Like the RESP sample's reply write timeout. */
        const val DEFAULT_WRITE_TIMEOUT_MILLIS = 10_000L
        private const val INITIAL_INPUT_BYTES = 16 * 1024
        private const val LINGER_MILLIS = 2_000L
    }
}
