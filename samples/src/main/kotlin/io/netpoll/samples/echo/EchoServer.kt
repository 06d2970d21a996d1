package io.netpoll.samples.echo

import io.netpoll.samples.server.ServerRuntime
import io.netpoll.samples.server.TcpServer
import java.nio.ByteBuffer

/**
 * The echo server: one coroutine per connection, one 16 KiB direct buffer, `read` then `write`
 * what was read until the peer closes (Go's `io.Copy(c, c)`). On shutdown a connection finishes
 * echoing what it has read and closes.
 */
object EchoServer {
    const val DEFAULT_ADDRESS = "127.0.0.1:7007"
    const val BUFFER_BYTES = 16 * 1024

    fun start(runtime: ServerRuntime, address: String): TcpServer =
        TcpServer("echo", runtime, address) { c ->
            val buf = ByteBuffer.allocateDirect(BUFFER_BYTES)
            // hot path: no allocation per round trip
            while (c.read(buf) >= 0) {
                buf.flip()
                c.write(buf)
                buf.clear()
                if (draining) break
            }
        }.start()
}
