package io.netpoll.samples.echo

import io.kotest.assertions.withClue
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.longs.shouldBeGreaterThanOrEqual
import io.kotest.matchers.longs.shouldBeLessThanOrEqual
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldMatch
import io.netpoll.net.BufferPool
import io.netpoll.samples.Tools
import io.netpoll.samples.Tools.readN
import io.netpoll.samples.server.ServerRuntime
import kotlin.random.Random

/** The echo server against nc and raw sockets, and the echo client against the echo server. */
class EchoSpec : StringSpec({
    val server = EchoServer.start(ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0")
    afterSpec { server.shutdown() }

    "nc: a line comes back unchanged".config(enabled = Tools.has("nc")) {
        val r = Tools.run("nc", "-N", "127.0.0.1", "${server.port}", stdin = "hello, netpoll\n".toByteArray(), timeoutSeconds = 10)
        r.out shouldBe "hello, netpoll\n"
    }

    "raw socket: 4 MiB of random bytes come back intact while being written" {
        val data = Random(42).nextBytes(4 shl 20)
        Tools.socket(server.port).use { s ->
            val writer = Thread {
                s.getOutputStream().write(data)
                s.shutdownOutput()
            }.apply { start() }
            val back = s.getInputStream().readAllBytes()
            writer.join(10_000)
            back.size shouldBe data.size
            back.contentEquals(data) shouldBe true
        }
    }

    "echo-client reports round trips and latency quantiles in its one-line format" {
        val line = EchoClient.run("127.0.0.1:${server.port}", conns = 4, size = 128, durationSeconds = 1)
        println(line)
        line shouldMatch Regex("echo-client: conns=4 size=128 round_trips=[1-9]\\d* rps=[1-9]\\d* p50_us=\\d+ p99_us=\\d+")
    }

    "the same echo server code runs on Dispatchers.Default" {
        val other = EchoServer.start(ServerRuntime(ServerRuntime.DEFAULT, 2), "127.0.0.1:0")
        try {
            val line = EchoClient.run("127.0.0.1:${other.port}", conns = 4, size = 64, durationSeconds = 1)
            line shouldMatch Regex("echo-client: conns=4 size=64 round_trips=[1-9]\\d* .*")
        } finally {
            other.shutdown()
        }
    }

    "idle connections hold no buffer: 200 connections that each echoed once share a few pooled buffers" {
        val pool = BufferPool(EchoServer.BUFFER_BYTES, 16)
        val own = EchoServer.start(ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0", pool)
        val sockets = ArrayList<java.net.Socket>()
        try {
            repeat(200) { i ->
                val s = Tools.socket(own.port)
                sockets.add(s)
                val line = "conn $i\n"
                s.getOutputStream().write(line.toByteArray())
                s.readN(line.length) shouldBe line
            }
            own.connections shouldBe 200
            // The echo reaches the client before its server coroutine finds the socket empty and
            // gives the buffer back, so let the last one settle.
            val settleBy = System.nanoTime() + 2_000_000_000L
            while (pool.available().toLong() != pool.allocated && System.nanoTime() < settleBy) Thread.sleep(5)
            println("EchoSpec: 200 idle connections after one round trip each: $pool")
            pool.allocated shouldBeLessThanOrEqual 4L
            pool.available().toLong() shouldBe pool.allocated
            // A connection that was idle is served again from the pool.
            sockets[17].getOutputStream().write("again\n".toByteArray())
            sockets[17].readN(6) shouldBe "again\n"
        } finally {
            sockets.forEach { it.close() }
            own.shutdown()
        }
    }

    "a peer that sends but stops reading is cut by the write timeout" {
        val timeoutMillis = 500L
        val own = EchoServer.start(ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0", writeTimeoutMillis = timeoutMillis)
        try {
            java.net.Socket().use { s ->
                s.receiveBufferSize = 16 * 1024
                s.connect(java.net.InetSocketAddress("127.0.0.1", own.port), 2000)
                val chunk = ByteArray(64 * 1024)
                var written = 0L
                var lastProgress = 0L
                var failure: Throwable? = null
                val start = System.nanoTime()
                val writer = Thread {
                    try {
                        while (written < (1L shl 30)) {
                            s.getOutputStream().write(chunk)
                            written += chunk.size
                            lastProgress = System.nanoTime()
                        }
                    } catch (e: java.io.IOException) {
                        failure = e
                    }
                }.apply { start() }
                writer.join(10_000)
                val cut = System.nanoTime()
                val alive = writer.isAlive
                s.close()
                writer.join(2_000)
                val sinceStart = (cut - start) / 1_000_000
                val sinceStuck = (cut - lastProgress) / 1_000_000
                println("EchoSpec: a non-reading peer (${written shr 10} KiB written, none read) was cut $sinceStart ms after its first write, " +
                    "$sinceStuck ms after its writes stopped progressing (write timeout $timeoutMillis ms): ${failure?.javaClass?.simpleName}: ${failure?.message}")
                withClue("the peer's write still blocked 10 s later") { alive shouldBe false }
                (failure is java.net.SocketException) shouldBe true
                sinceStart shouldBeGreaterThanOrEqual timeoutMillis * 7 / 8
                sinceStuck shouldBeLessThanOrEqual timeoutMillis + 2_500
            }
            val until = System.nanoTime() + 2_000_000_000L
            while (own.connections > 0 && System.nanoTime() < until) Thread.sleep(10)
            own.connections shouldBe 0
        } finally {
            own.shutdown()
        }
    }

    "histogram quantiles stay within 1/64 of the recorded values" {
        val h = LatencyHistogram()
        for (v in 1L..10_000L) h.record(v)
        h.total shouldBe 10_000
        val p50 = h.quantile(0.5)
        val p99 = h.quantile(0.99)
        (p50 in 4922..5000) shouldBe true
        (p99 in 9745..9900) shouldBe true
        h.quantile(0.0) shouldBe 1
    }
})
