package io.netpoll.samples.server

import io.netpoll.net.Conn
import io.netpoll.net.StreamConn
import java.io.IOException
import java.nio.ByteBuffer

/**
 * One accepted connection and where it stands in its request cycle, which is what graceful
 * shutdown needs (Go's http.Server tracks the same as StateIdle / StateActive).
 *
 * Protocol: before each read the handler calls [prepareRead], saying whether a request has
 * started (part of it is buffered) and which read deadline the protocol wants. Shutdown calls
 * [drain] once per connection after setting [TcpServer.draining]. Both decide under this object's
 * monitor, so for every connection either the handler sees the server draining or [drain] sees
 * the handler's latest state, and neither overwrites the other's deadline:
 * - between requests (idle): the handler closes instead of reading ([prepareRead] returns false);
 *   a handler already waiting in an idle read has its deadline moved to now by [drain];
 * - mid-request (busy): the protocol's deadline stands, capped at the end of the grace period, so
 *   the request can arrive, be answered (with `Connection: close` or its protocol's equivalent),
 *   and the connection then closes as idle.
 * A handler that never calls [prepareRead] (echo) counts as idle. Only the handler's coroutine
 * calls [prepareRead]; while nothing changes it takes no lock (hot path: RESP reads).
 *
 * [conn] is a plain [Conn] or, on a TLS server, a [io.netpoll.net.tls.TlsConn]; handlers read and
 * write through [read] and [write], which take Conn's inline path for a plain connection.
 */
class ServerConn internal constructor(val conn: StreamConn, private val server: TcpServer) {
    /** [StreamConn.read]; a plain connection's allocates nothing when it need not wait. */
    @Suppress("NOTHING_TO_INLINE")
    suspend inline fun read(dst: ByteBuffer): Int {
        val c = conn
        return if (c is Conn) c.read(dst) else c.read(dst)
    }

    /** [StreamConn.write]; a plain connection's allocates nothing when the socket takes it all. */
    @Suppress("NOTHING_TO_INLINE")
    suspend inline fun write(src: ByteBuffer) {
        val c = conn
        if (c is Conn) c.write(src) else c.write(src)
    }

    // Written by the handler under the monitor; read by drain under it, and by the handler.
    private var busy = false
    private var applied = Timeout.NO_DEADLINE

    /**
     * Sets the deadline for the handler's next read: [deadline] (a [System.nanoTime] value, or
     * [Timeout.NO_DEADLINE]) while the server runs; once it drains, [deadline] capped at the grace
     * period's end if [requestStarted], and false — close the connection instead of reading — if not.
     */
    fun prepareRead(requestStarted: Boolean, deadline: Long): Boolean {
        // Not draining when read, so drain runs later and sees the state as it stands.
        if (!server.draining && requestStarted == busy && deadline == applied) return true
        synchronized(this) {
            busy = requestStarted
            applied = deadline
            val end = server.drainEnd
            if (end != Timeout.NO_DEADLINE && !requestStarted) return false
            setReadDeadline(capped(deadline, end))
            return true
        }
    }

    /** Shutdown: an idle connection's read ends now; a busy one's deadline is capped at [end]. */
    internal fun drain(end: Long) = synchronized(this) {
        try {
            setReadDeadline(if (busy) capped(applied, end) else System.nanoTime())
        } catch (e: IOException) {
            // Closed meanwhile: nothing left to end.
        }
    }

    private fun capped(deadline: Long, end: Long): Long = when {
        end == Timeout.NO_DEADLINE -> deadline
        deadline == Timeout.NO_DEADLINE || deadline - end > 0 -> end
        else -> deadline
    }

    private fun setReadDeadline(deadline: Long) {
        if (deadline == Timeout.NO_DEADLINE) conn.setReadDeadline(null as java.time.Instant?) else conn.setReadDeadlineNanos(deadline)
    }
}
