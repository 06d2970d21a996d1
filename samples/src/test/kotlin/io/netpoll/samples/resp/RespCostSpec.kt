package io.netpoll.samples.resp

import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import io.netpoll.samples.Tools
import io.netpoll.samples.Tools.readN
import io.netpoll.samples.server.ServerRuntime
import io.netpoll.samples.server.TcpServer
import java.lang.management.BufferPoolMXBean
import java.lang.management.ManagementFactory
import java.net.Socket
import java.util.concurrent.TimeUnit
import java.util.concurrent.locks.LockSupport

/**
 * What hostile or slow input costs the RESP server, measured on a real server over loopback:
 * memory held per connection for a header declaring a million arguments, server CPU for a
 * command arriving in small pieces (shown), and the time to cut a pipelining client
 * that never reads with the memory held for it meanwhile.
 */
class RespCostSpec : StringSpec({
    val (server, _) = RespServer.start(ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0")
    afterSpec { server.shutdown() }

    "32 connections each sending the 13-byte header *1048576 \$1 hold kilobytes each, not megabytes" {
        val n = 32
        val before = memoryHeld()
        val sockets = (1..n).map { Tools.socket(server.port) }
        try {
            for (s in sockets) s.getOutputStream().write("PING\r\n*1048576\r\n\$1\r\n".toByteArray())
            // PONG proves the server has read the header sent with it.
            for (s in sockets) s.readN(7) shouldBe "+PONG\r\n"
            val perConnection = (memoryHeld() - before) / n
            println("$n connections holding a *1048576 header: ${perConnection / 1024} KiB held each (heap after GC + direct)")
            (perConnection < 256 * 1024) shouldBe true
        } finally {
            sockets.forEach { it.close() }
        }
    }

    "a command of 600,000 arguments sent in small pieces is answered; its server CPU is shown beside one of 300,000" {
        // The figures are for reading, not asserting (CPU time on a shared 2-core machine drifts
        // too much for a bound that separates linear from quadratic): RespParserSpec proves the
        // parser reads each byte once, and the input buffer grows by doubling.
        val k = 300_000
        send(server, k)
        val once = (1..3).minOf { send(server, k) }
        val twice = (1..3).minOf { send(server, 2 * k) }
        println("server CPU for GET with $k args in 14000-byte pieces: ${once / 1_000_000} ms, ${2 * k} args: " +
            "${twice / 1_000_000} ms (ratio %.2f)".format(twice.toDouble() / once))
    }

    "a client pipelining and never reading is cut at the write timeout, holding bounded memory meanwhile" {
        val timeoutMillis = 2_000L
        val (strict, _) = RespServer.start(ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0", replyWriteTimeoutMillis = timeoutMillis)
        try {
            val value = "v".repeat(64 * 1024)
            Tools.socket(strict.port).use { setup ->
                setup.getOutputStream().write("*3\r\n\$3\r\nSET\r\n\$3\r\nbig\r\n\$${value.length}\r\n$value\r\n".toByteArray())
                setup.readN(5) shouldBe "+OK\r\n"
            }
            val before = memoryHeld()
            Tools.socket(strict.port).use { slow ->
                slow.receiveBufferSize = 4096
                val started = System.nanoTime()
                // 2,000 GETs of 64 KiB: 128 MiB of replies if the server buffered them.
                val get = "*2\r\n\$3\r\nGET\r\n\$3\r\nbig\r\n".toByteArray()
                slow.getOutputStream().write(ByteArray(get.size * 2000).also { for (i in 0 until 2000) get.copyInto(it, i * get.size) })
                Thread.sleep(timeoutMillis / 2)
                val held = memoryHeld() - before
                strict.connections shouldBe 1
                val until = started + TimeUnit.SECONDS.toNanos(15)
                while (strict.connections > 0 && System.nanoTime() < until) Thread.sleep(10)
                val cutMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)
                println("a pipelining client that never reads: cut after $cutMillis ms (write timeout $timeoutMillis ms), " +
                    "${held / 1024} KiB held for it meanwhile")
                strict.connections shouldBe 0
                (cutMillis >= timeoutMillis) shouldBe true
                (cutMillis < timeoutMillis + 5_000) shouldBe true
                (held < 4L shl 20) shouldBe true
            }
            Tools.socket(strict.port).use { other ->
                other.getOutputStream().write("*1\r\n\$4\r\nPING\r\n".toByteArray())
                other.readN(7) shouldBe "+PONG\r\n"
            }
        } finally {
            strict.shutdown()
        }
    }
})

private val threads = ManagementFactory.getThreadMXBean()

/** Heap in use after a full GC plus direct buffers in use: what the JVM holds on to. */
internal fun memoryHeld(): Long {
    val direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean::class.java).first { it.name == "direct" }
    repeat(2) {
        System.gc()
        Thread.sleep(50)
    }
    return ManagementFactory.getMemoryMXBean().heapMemoryUsage.used + direct.memoryUsed
}

/** CPU time of every thread but this one and the JIT compilers: the server's share. */
private fun serverCpuNanos(): Long {
    val me = Thread.currentThread().id
    var total = 0L
    for (info in threads.getThreadInfo(threads.allThreadIds)) {
        if (info == null || info.threadId == me || info.threadName.contains("CompilerThread")) continue
        val t = threads.getThreadCpuTime(info.threadId)
        if (t > 0) total += t
    }
    return total
}

/**
 * Sends `GET x x ...` with [args] - 1 keys (answered with an arity error: executing it costs nothing) in 14,000-byte pieces, a 5 ms pause after each so the
 * server reads them one at a time, and returns the server's CPU time for it.
 */
private fun send(server: TcpServer, args: Int): Long {
    Socket("127.0.0.1", server.port).use { s ->
        s.tcpNoDelay = true
        s.soTimeout = 30_000
        val out = s.getOutputStream()
        val started = serverCpuNanos()
        out.write("*$args\r\n\$3\r\nGET\r\n".toByteArray())
        val piece = "\$1\r\nx\r\n".repeat(2000).toByteArray()
        var left = args - 1
        while (left > 0) {
            val m = minOf(2000, left)
            out.write(piece, 0, m * 7)
            left -= m
            // Longer than re-parsing the whole command took, so reads do not merge pieces.
            LockSupport.parkNanos(5_000_000)
        }
        val error = "-ERR wrong number of arguments for 'get' command\r\n"
        s.readN(error.length) shouldBe error
        return serverCpuNanos() - started
    }
}
