package io.netpoll.samples.echo

import io.netpoll.dispatcher.Netpoll
import io.netpoll.net.Net
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import java.nio.ByteBuffer
import kotlin.time.Duration.Companion.seconds

/**
 * Load generator for an echo server: [conns] connections on `Dispatchers.Netpoll`, each sending
 * [size] bytes and reading them back in a loop for [durationSeconds], checking every echoed byte.
 * Prints one line: `echo-client: conns=N size=B round_trips=… rps=… p50_us=… p99_us=…`.
 */
object EchoClient {
    fun run(address: String, conns: Int, size: Int, durationSeconds: Int): String = runBlocking {
        withContext(Dispatchers.Netpoll) {
            val startNanos = System.nanoTime()
            val endNanos = startNanos + durationSeconds * 1_000_000_000L
            val histograms = (0 until conns).map { i -> async { oneConnection(address, size, endNanos, i) } }.awaitAll()
            val elapsedSeconds = (System.nanoTime() - startNanos) / 1e9
            val all = LatencyHistogram()
            for (h in histograms) all.merge(h)
            val rps = (all.total / elapsedSeconds).toLong()
            "echo-client: conns=$conns size=$size round_trips=${all.total} rps=$rps " +
                "p50_us=${all.quantile(0.50)} p99_us=${all.quantile(0.99)}"
        }
    }

    private suspend fun oneConnection(address: String, size: Int, endNanos: Long, seed: Int): LatencyHistogram {
        val h = LatencyHistogram()
        val c = Net.dial("tcp", address, timeout = 5.seconds)
        c.use {
            val out = ByteBuffer.allocateDirect(size)
            for (i in 0 until size) out.put(i, ((i + seed) and 0xff).toByte())
            val back = ByteBuffer.allocateDirect(size)
            // hot path: no allocation per round trip
            while (System.nanoTime() < endNanos) {
                val t0 = System.nanoTime()
                out.clear()
                c.write(out)
                back.clear()
                c.readFully(back)
                h.record((System.nanoTime() - t0) / 1000)
                for (i in 0 until size) {
                    if (back.get(i) != out.get(i)) throw IllegalStateException("echo-client: byte $i came back changed")
                }
            }
        }
        return h
    }
}
