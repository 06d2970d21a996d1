package io.netpoll.samples.echo

import io.netpoll.net.BufferPool
import io.netpoll.net.Conn
import io.netpoll.samples.server.ServerRuntime
import io.netpoll.samples.server.TcpServer

/**
 * The echo server: one coroutine per connection, writing back what it reads until the peer closes
 * (Go's `io.Copy(c, c)`). A connection holds a 16 KiB direct buffer only while it has something
 * to read: it waits with [Conn.awaitReadable] holding none, borrows one from the server's
 * [BufferPool], reads and echoes until a read would block, and gives it back. Idle connections
 * therefore cost the runtime's own state and no buffer (the benchmark harness's idle workload).
 * On shutdown a connection finishes echoing what it has read and closes.
 */
object EchoServer {
    const val DEFAULT_ADDRESS = "127.0.0.1:7007"
    const val BUFFER_BYTES = 16 * 1024

    /** Starts a server; its connections share [pool] (by default one of [BUFFER_BYTES] buffers). */
    fun start(runtime: ServerRuntime, address: String, pool: BufferPool = BufferPool(BUFFER_BYTES)): TcpServer =
        TcpServer("echo", runtime, address) { sc -> echo(sc.conn, pool) }.start()

    private suspend fun TcpServer.echo(c: Conn, pool: BufferPool) {
        // hot path: no allocation per round trip
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
