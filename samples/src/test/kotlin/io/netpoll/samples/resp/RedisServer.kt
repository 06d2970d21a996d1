package io.netpoll.samples.resp

import io.netpoll.samples.Tools
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.net.Socket
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * A real redis-server on a free loopback port, in a temporary directory, persisting nothing:
 * the reference the RESP sample's replies are compared with, byte for byte.
 */
class RedisServer : AutoCloseable {
    private val dir: Path = Files.createTempDirectory("redis-ref")
    val port: Int = ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()).use { it.localPort }
    private val process: Process = Tools.start(
        "redis-server", "--port", "$port", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        "--dir", dir.toString(), "--daemonize", "no", "--loglevel", "warning",
    )

    init {
        val until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
        while (true) {
            try {
                Socket().use { it.connect(InetSocketAddress("127.0.0.1", port), 500) }
                break
            } catch (e: java.io.IOException) {
                if (!process.isAlive || System.nanoTime() > until) {
                    close()
                    throw AssertionError("redis-server did not start on port $port: ${e.message}")
                }
                Thread.sleep(20)
            }
        }
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly()
        dir.toFile().deleteRecursively()
    }

    companion object {
        /** Whether the tests comparing with redis-server run (see [Tools.has]). */
        val available: Boolean by lazy { Tools.has("redis-server") }
    }
}
