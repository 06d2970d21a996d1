package io.netpoll.samples.http

import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldStartWith
import io.netpoll.samples.Tools
import io.netpoll.samples.Tools.readN
import io.netpoll.samples.Tools.readUntil
import io.netpoll.samples.server.ServerRuntime
import java.io.IOException
import java.lang.management.BufferPoolMXBean
import java.lang.management.ManagementFactory
import java.net.InetSocketAddress
import java.net.Socket
import java.nio.ByteBuffer
import java.util.concurrent.atomic.AtomicLong
import kotlin.concurrent.thread
import kotlin.time.Duration.Companion.seconds

/**
 * What a request costs the server is proportional to what it sends: memory held follows the
 * bytes received (never a declared Content-Length or chunk size), parsing CPU is linear in the
 * input however it is split, and a client that stops reading its answers is cut after the
 * write timeout with the server's output for it bounded meanwhile. Each test prints its figures.
 */
class HttpLimitsSpec : StringSpec({
    "a declared 1 GB Content-Length or chunk size holds memory for the bytes received, not the bytes declared" {
        val gib = 1 shl 30
        val server = HttpServer(maxBodyBytes = gib).start(ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0")
        val n = 300
        val clients = ArrayList<Socket>()
        try {
            val before = heldBytes()
            repeat(n) { i ->
                val s = Tools.socket(server.port)
                clients += s
                val out = s.getOutputStream()
                // Expect: 100-continue: the interim answer shows the server has read the declaration.
                val framing = if (i % 2 == 0) "Content-Length: 1000000000" else "Transfer-Encoding: chunked"
                out.write("POST /echo HTTP/1.1\r\nHost: x\r\n$framing\r\nExpect: 100-continue\r\n\r\n".toByteArray())
                s.readN(25) shouldBe "HTTP/1.1 100 Continue\r\n\r\n"
                if (i % 2 == 1) out.write("3b9aca00\r\n".toByteArray())
                out.write(ByteArray(100) { 'a'.code.toByte() })
            }
            Thread.sleep(300)
            server.connections shouldBe n
            val held = heldBytes() - before
            val perConnection = held / n
            println("declared 1 GB bodies: $n connections (half Content-Length, half a chunk of 0x3b9aca00) each sent ~200 bytes; server holds ${held / 1024} KiB in all, ${perConnection / 1024} KiB per connection (its input buffer, response buffer and session)")
            (perConnection < 96 * 1024) shouldBe true
        } finally {
            clients.forEach { it.close() }
            server.shutdown()
        }
    }

    "an idle keep-alive connection holds no input buffer between requests" {
        val server = HttpServer().start(ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0")
        val n = 300
        val clients = ArrayList<Socket>()
        try {
            val before = heldBytes()
            repeat(n) {
                val s = Tools.socket(server.port)
                clients += s
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".toByteArray())
                s.readUntil("Hello, World!")
            }
            Thread.sleep(300)
            server.connections shouldBe n
            val perConnection = (heldBytes() - before) / n
            println("idle keep-alive: $n connections after one GET each hold ${perConnection / 1024.0} KiB each (session, 1 KiB response writer, coroutine, socket; no input buffer)")
            (perConnection < 8 * 1024) shouldBe true
        } finally {
            clients.forEach { it.close() }
            server.shutdown()
        }
    }

    "a head sent in 7-byte pieces costs CPU linear in its size" {
        // Quadratic re-scanning would make 4x the bytes cost 16x the CPU.
        fun head(lines: Int) = buildString {
            append("GET / HTTP/1.1\r\nHost: x\r\n")
            repeat(lines) { append("X-Pad-$it: ${"v".repeat(16)}\r\n") }
            append("\r\n")
        }.toByteArray()
        linearity("head", head(1_000), head(4_000))
    }

    "a chunked body of 1-byte chunks sent in 7-byte pieces costs CPU linear in its size" {
        fun body(chunks: Int) = ("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + "1\r\na\r\n".repeat(chunks) + "0\r\n\r\n").toByteArray()
        linearity("chunked body", body(16_000), body(64_000))
    }

    "a client that pipelines requests and never reads is cut after the write timeout, its output bounded meanwhile".config(timeout = 60.seconds) {
        val writeTimeoutMillis = 1_000L
        val server = HttpServer(writeTimeoutMillis = writeTimeoutMillis).start(ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0")
        try {
            val before = heldBytes()
            val s = Socket()
            s.receiveBufferSize = 4096
            s.connect(InetSocketAddress("127.0.0.1", server.port), 2000)
            val sent = AtomicLong()
            val batch = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(100).toByteArray()
            val start = System.nanoTime()
            var cutNanos = -1L
            val writer = thread {
                try {
                    // Bounded: 256 MiB or 30 s, whichever comes first, if the server never cuts.
                    while (sent.get() < 256L shl 20 && System.nanoTime() - start < 30_000_000_000L) {
                        s.getOutputStream().write(batch)
                        sent.addAndGet(batch.size.toLong())
                    }
                } catch (e: IOException) {
                    cutNanos = System.nanoTime() - start
                }
            }
            // Stalled: both directions' socket buffers are full and the server waits in its write.
            var last = -1L
            while (sent.get() != last) {
                last = sent.get()
                Thread.sleep(200)
            }
            val stalledMillis = (System.nanoTime() - start) / 1_000_000
            val held = heldBytes() - before
            writer.join(30_000)
            s.close()
            val cutMillis = cutNanos / 1_000_000
            val cut = if (cutNanos > 0) "cut after $cutMillis ms" else "never cut"
            println("non-reader: sent ${sent.get() / 1024} KiB of pipelined requests, stalled after $stalledMillis ms with the server holding ${held / 1024} KiB; $cut (write timeout $writeTimeoutMillis ms)")
            (cutNanos > 0) shouldBe true
            (cutMillis >= writeTimeoutMillis) shouldBe true
            (cutMillis < stalledMillis + writeTimeoutMillis + 10_000) shouldBe true
            (held < 4L shl 20) shouldBe true
        } finally {
            server.shutdown()
        }
    }
}) {
    companion object {
        /** Heap in use after a full GC plus direct buffers: what the server holds, measured from outside. */
        fun heldBytes(): Long {
            repeat(3) {
                System.gc()
                Thread.sleep(50)
            }
            val heap = ManagementFactory.getMemoryMXBean().heapMemoryUsage.used
            val direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean::class.java).first { it.name == "direct" }.memoryUsed
            return heap + direct
        }

        /**
         * Feeds [small] and [large] (4x the bytes) to a session in 7-byte pieces, five times each,
         * and checks the least CPU time of each grows linearly (ratio < 8; quadratic would be 16).
         */
        fun linearity(what: String, small: ByteArray, large: ByteArray) {
            val threads = ManagementFactory.getThreadMXBean()
            fun run(input: ByteArray): Long {
                val session = HttpSession(HttpRoutes { "{}" }, maxHeaderBytes = 1 shl 20, maxBodyBytes = 1 shl 20)
                val buf = ByteBuffer.allocate(input.size)
                val t0 = threads.currentThreadCpuTime
                var p = 0
                while (p < input.size) {
                    val n = minOf(7, input.size - p)
                    buf.put(input, p, n)
                    p += n
                    buf.flip()
                    session.process(buf)
                    buf.compact()
                }
                val t = threads.currentThreadCpuTime - t0
                String(session.out.buffer.array(), 0, session.out.size) shouldStartWith "HTTP/1.1 200 OK\r\n"
                return t
            }
            run(large)
            val s = (1..5).minOf { run(small) }
            val l = (1..5).minOf { run(large) }
            val ratio = l.toDouble() / s
            println(
                "%s: %d bytes in %.1f ms CPU (%.0f ns/byte), %d bytes in %.1f ms (%.0f ns/byte): ratio %.1f for 4x the bytes"
                    .format(what, small.size, s / 1e6, s.toDouble() / small.size, large.size, l / 1e6, l.toDouble() / large.size, ratio),
            )
            (ratio < 8) shouldBe true
        }
    }
}
