package io.netpoll.samples.soak

import io.kotest.assertions.withClue
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.collections.shouldBeIn
import io.kotest.matchers.longs.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.netpoll.samples.Tools
import io.netpoll.samples.Tools.drainToEnd
import io.netpoll.samples.Tools.readN
import io.netpoll.samples.resp.RespServer
import io.netpoll.samples.server.ServerRuntime
import java.io.IOException
import java.net.Socket
import java.util.concurrent.atomic.AtomicLong

/**
 * Clients that send and never read, against the RESP sample in this JVM: the server's memory must
 * stay bounded by what it holds per connection, never by what the clients send, and the clients
 * must be cut (write timeout, or the pub/sub outbox limit). Memory is the heap after a full GC and
 * the direct buffers in use, sampled by a thread that collects in a loop while the load runs; the
 * peak above the baseline is printed and asserted with generous bounds. The pub/sub test runs
 * first: the pipelining test's hundreds of closed sockets take seconds to be freed after it.
 */
class SlowConsumerSoakSpec : StringSpec({
    "subscribers that stop reading under a fast publisher: memory bounded by the outbox limit, each dropped, the publisher served throughout" {
        val subscribers = Soak.size(8, 32)
        val outboxBytes = 4L shl 20
        val (server, _) = RespServer.start(
            ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0", outboxBytes = outboxBytes, replyWriteTimeoutMillis = 5_000,
        )
        try {
            // Small receive buffers: messages queue in the server's outboxes, not in the kernel.
            val slow = List(subscribers) {
                Socket().apply {
                    receiveBufferSize = 8 * 1024
                    connect(java.net.InetSocketAddress("127.0.0.1", server.port), 2000)
                    soTimeout = 5000
                    getOutputStream().write("*2\r\n\$9\r\nSUBSCRIBE\r\n\$2\r\nch\r\n".toByteArray())
                    readN(31) shouldBe "*3\r\n\$9\r\nsubscribe\r\n\$2\r\nch\r\n:1\r\n"
                }
            }
            val memory = MemorySampler()
            val payload = "m".repeat(16 * 1024)
            val cmd = "*3\r\n\$7\r\nPUBLISH\r\n\$2\r\nch\r\n\$${payload.length}\r\n$payload\r\n".toByteArray()
            val pipeline = 16
            var published = 0
            var receivers = subscribers
            val t0 = System.nanoTime()
            Tools.socket(server.port).use { pub ->
                val batch = ByteArray(cmd.size * pipeline).also { b -> repeat(pipeline) { System.arraycopy(cmd, 0, b, it * cmd.size, cmd.size) } }
                while (receivers > 0 && published < 200_000) {
                    pub.getOutputStream().write(batch)
                    repeat(pipeline) {
                        val reply = pub.readUntilCrlf()
                        receivers = reply.substring(1).toInt()
                    }
                    published += pipeline
                    if (published % 64 == 0) memory.sample()
                }
                pub.getOutputStream().write("*1\r\n\$4\r\nPING\r\n".toByteArray())
                pub.readN(7) shouldBe "+PONG\r\n"
            }
            val tookMillis = (System.nanoTime() - t0) / 1_000_000
            val (heap, direct) = memory.stop()
            val ends = slow.map { s -> s.soTimeout = 10_000; s.drainToEnd(withinMillis = 20_000) }
            slow.forEach { it.close() }
            println("SlowConsumerSoak: $subscribers subscribers stopped reading; $published PUBLISHes of 16 KiB in $tookMillis ms until none was left " +
                "(outbox limit ${Soak.mib(outboxBytes)}); server memory above baseline at peak: heap after GC ${Soak.mib(heap)}, " +
                "direct ${Soak.mib(direct)} ($memory); subscribers ended ${ends.map { it.first }.toSet()}")
            receivers shouldBe 0
            for ((end, _) in ends) end shouldBeIn listOf(Tools.End.EOF, Tools.End.RESET)
            withClue("heap: at most the outbox limit per subscriber, plus slack") { heap shouldBeLessThan subscribers * outboxBytes + (64L shl 20) }
            withClue("direct memory") { direct shouldBeLessThan (64L shl 20) }
        } finally {
            server.shutdown()
        }
    }

    "many connections pipelining GETs without reading: memory bounded, each cut at the write timeout" {
        val conns = Soak.size(200, 500)
        val timeoutMillis = 2_000L
        val (server, _) = RespServer.start(ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0", replyWriteTimeoutMillis = timeoutMillis)
        try {
            val value = "v".repeat(1024)
            Tools.socket(server.port).use { s ->
                s.getOutputStream().write("*3\r\n\$3\r\nSET\r\n\$1\r\nv\r\n\$${value.length}\r\n$value\r\n".toByteArray())
                s.readN(5) shouldBe "+OK\r\n"
            }
            // One shared read-only batch: the clients themselves hold no memory per connection.
            val batch = "*2\r\n\$3\r\nGET\r\n\$1\r\nv\r\n".repeat(4096).toByteArray()
            val sent = AtomicLong()
            val memory = MemorySampler().startThread()
            val t0 = System.nanoTime()
            val ends = LongArray(conns)
            // Small receive buffers: the server's replies back up after a few MiB, not tens.
            val sockets = List(conns) {
                Socket().apply {
                    receiveBufferSize = 8 * 1024
                    connect(java.net.InetSocketAddress("127.0.0.1", server.port), 2000)
                }
            }
            val writers = sockets.mapIndexed { i, s ->
                Thread {
                    try {
                        // Bounded: 64 MiB per connection at most (a few MiB fill every buffer).
                        repeat(64 shl 20 / batch.size) {
                            s.getOutputStream().write(batch)
                            sent.addAndGet(batch.size.toLong())
                        }
                    } catch (e: IOException) {
                        ends[i] = System.nanoTime()
                    }
                }.apply { isDaemon = true; start() }
            }
            writers.forEach { it.join(timeoutMillis + 20_000) }
            val (heap, direct) = memory.stop()
            val cutMillis = ends.map { if (it == 0L) Long.MAX_VALUE else (it - t0) / 1_000_000 }
            sockets.forEach { it.close() }
            val until = System.nanoTime() + 5_000_000_000L
            while (server.connections > 0 && System.nanoTime() < until) Thread.sleep(10)
            println("SlowConsumerSoak: $conns connections pipelined ${Soak.mib(sent.get())} of GETs (1 KiB replies) without reading; " +
                "all cut by the ${timeoutMillis} ms write timeout within ${cutMillis.max()} ms (first ${cutMillis.min()} ms); " +
                "server memory above baseline at peak: heap after GC ${Soak.mib(heap)}, direct ${Soak.mib(direct)} " +
                "(${heap / conns / 1024} + ${direct / conns / 1024} KiB per connection); samples ${memory.samples}")
            withClue("every client was cut") { cutMillis.max() shouldBeLessThan timeoutMillis + Soak.size(15_000L, 60_000L) }
            server.connections shouldBe 0
            withClue("heap per connection") { heap / conns shouldBeLessThan (1L shl 20) }
            withClue("direct memory per connection") { direct / conns shouldBeLessThan (1L shl 20) }
        } finally {
            server.shutdown()
        }
    }
})

private fun Socket.readUntilCrlf(): String {
    val sb = StringBuilder()
    while (!sb.endsWith("\r\n")) {
        val b = getInputStream().read()
        if (b < 0) throw AssertionError("stream ended; read: $sb")
        sb.append(b.toChar())
    }
    return sb.substring(0, sb.length - 2)
}

/**
 * This JVM's heap after a full GC and its direct buffers in use, sampled on a thread of its own
 * in a loop ([startThread]) or by the caller ([sample]); [stop] returns the peaks above the values
 * when it was made.
 */
private class MemorySampler {
    @Volatile
    private var running = true
    private val heapBase = Soak.heapAfterGc()
    private val directBase = Soak.directBytes()
    private var heapPeak = 0L
    private var directPeak = 0L
    var samples = 0
        private set
    private val heapSamples = ArrayList<Long>()

    override fun toString(): String =
        "$samples samples, heap after GC ${Soak.mib(heapBase)} before, then ${heapSamples.joinToString("/") { Soak.mib(it) }}"
    private val thread = Thread {
        while (running) {
            sample()
            Thread.sleep(50)
        }
    }

    fun sample() {
        val heap = Soak.heapAfterGc()
        synchronized(heapSamples) { heapSamples += heap }
        heapPeak = maxOf(heapPeak, heap)
        directPeak = maxOf(directPeak, Soak.directBytes())
        samples++
    }

    fun startThread(): MemorySampler {
        thread.isDaemon = true
        thread.start()
        return this
    }

    fun stop(): Pair<Long, Long> {
        running = false
        if (thread.isAlive) thread.join()
        return (heapPeak - heapBase).coerceAtLeast(0) to (directPeak - directBase).coerceAtLeast(0)
    }
}
