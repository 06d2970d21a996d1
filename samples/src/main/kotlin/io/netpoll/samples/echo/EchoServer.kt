package io.netpoll.samples.echo

import io.netpoll.net.BufferPool
import io.netpoll.net.Conn
import io.netpoll.samples.server.ServerRuntime
import io.netpoll.samples.server.TcpServer
import java.time.Instant

/**
 * The echo server: one coroutine per connection, writing back what it reads until the peer closes
 * (Go's `io.Copy(c, c)`). A connection holds a 16 KiB direct buffer only while it has something
 * to read: it waits with [Conn.awaitReadable] holding none, borrows one from the server's
 * [BufferPool], reads and echoes until a read would block, and gives it back. Idle connections
 * therefore cost the runtime's own state and no buffer (the benchmark harness's idle workload).
 * On shutdown a connection finishes echoing what it has read and closes.
 *
 * A peer that sends but stops reading is cut: every write carries a write deadline about
 * `writeTimeoutMillis` ahead (10 s by default, as the RESP server's). Moving the deadline costs an
 * Instant, so it moves only once it is less than 7/8 of the timeout away: a connection echoing
 * continuously sets it once per eighth of the timeout, and a write blocked by a non-reading peer
 * fails with [io.netpoll.DeadlineExceededException] after 7/8 of the timeout at least and the
 * whole timeout at most. Idle connections have no deadline (nothing is written to them).
 */
object EchoServer {
    const val DEFAULT_ADDRESS = "127.0.0.1:7007"
    const val BUFFER_BYTES = 16 * 1024
    const val DEFAULT_WRITE_TIMEOUT_MILLIS = 10_000L

    /** Starts a server; its connections share [pool] (by default one of [BUFFER_BYTES] buffers). */
    fun start(
        runtime: ServerRuntime,
        address: String,
        pool: BufferPool = BufferPool(BUFFER_BYTES),
        writeTimeoutMillis: Long = DEFAULT_WRITE_TIMEOUT_MILLIS,
    ): TcpServer {
        require(writeTimeoutMillis > 0) { "writeTimeoutMillis must be > 0, was $writeTimeoutMillis" }
        // A plain server: every connection is a Conn.
        return TcpServer("echo", runtime, address) { sc -> echo(sc.conn as Conn, pool, writeTimeoutMillis) }.start()
    }

    private suspend fun TcpServer.echo(c: Conn, pool: BufferPool, writeTimeoutMillis: Long) {
        // hot path: no allocation per round trip
        val timeout = writeTimeoutMillis * 1_000_000
        var deadline = System.nanoTime() - timeout
        while (true) {
            c.awaitReadable()
            val buf = pool.get()
            try {
                // Read until a read would block: under load the next request is often already
                // queued. After a short read, tryRead answers 0 without a syscall unless the
                // poller has reported more data since (see Conn.tryRead and NetFD.readDrained).
                while (true) {
                    val n = c.tryRead(buf)
                    if (n < 0) return
                    if (n == 0) break
                    buf.flip()
                    val now = System.nanoTime()
                    if (deadline - now < timeout - timeout / 8) {
                        deadline = now + timeout
                        c.setWriteDeadline(Instant.now().plusMillis(writeTimeoutMillis))
                    }
                    c.write(buf)
                    buf.clear()
                    if (draining) return
                }
            } finally {
                pool.put(buf)
            }
        }
    }
}
