package io.netpoll.samples.soak

import io.kotest.assertions.withClue
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.ints.shouldBeGreaterThanOrEqual
import io.kotest.matchers.ints.shouldBeLessThanOrEqual
import io.kotest.matchers.longs.shouldBeGreaterThanOrEqual
import io.kotest.matchers.shouldBe
import io.netpoll.dispatcher.Netpoll
import io.netpoll.net.Conn
import io.netpoll.net.Net
import io.netpoll.samples.ServerProcess
import io.netpoll.samples.Tools
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.sync.Semaphore
import kotlinx.coroutines.sync.withPermit
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import java.nio.ByteBuffer
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.atomic.AtomicLong
import kotlin.random.Random
import kotlin.time.Duration.Companion.seconds

/**
 * Ten thousand connections open at once on the echo sample, each checked byte for byte.
 *
 * The server is a child JVM (`echo` on the command line): one JVM holding both ends would need
 * 20,000 descriptors plus its own, over the 20,000 hard limit here. Both JVMs raise their soft
 * limit to the hard one at start (HotSpot's MaxFDLimit, on by default on Linux), which the test
 * reads back from /proc. The clients are net-kt coroutines on Dispatchers.Netpoll in this JVM.
 *
 * A barrier proves all are open together: no client sends until every one has dialled and the
 * server's /proc/<pid>/fd shows a descriptor for each. Then every connection echoes its own seeded
 * bytes ([Random] seeded by its index) in [CHUNK]-byte round trips and compares each one.
 */
class ConnectionsSoakSpec : StringSpec({
    val connections = 10_000
    val bytesPerConn = Soak.size(16 * 1024, 256 * 1024)

    // Under CI=1 a low hard limit fails the test; elsewhere it is skipped with the reason.
    val needed = connections + 1_000L
    val hard = Soak.hardFdLimit()
    if (hard < needed) println("${if (Tools.ci) "FAIL" else "SKIP"}: the hard descriptor limit is $hard, the 10,000-connection test needs $needed (ulimit -Hn)")

    "10,000 connections open at once on the echo server, each echoing its own seeded bytes intact".config(enabled = hard >= needed || Tools.ci) {
        hard shouldBeGreaterThanOrEqual needed
        Soak.softFdLimit() shouldBe hard
        ServerProcess.start("echo").use { srv ->
            Soak.softFdLimit("${srv.pid}") shouldBe Soak.hardFdLimit("${srv.pid}")
            val serverBase = srv.sockets()
            val clientBase = Soak.openDescriptors()
            val opened = AtomicInteger()
            val allOpen = CompletableDeferred<Unit>()
            val verified = AtomicLong()
            var serverAtPeak = 0
            var clientAtPeak = 0
            val t0 = System.nanoTime()
            var openedAfterMillis = 0L
            withContext(Dispatchers.Netpoll) {
                withTimeout(Soak.size(150, 900).seconds) {
                    // The barrier: the last client to dial waits for the server to hold them all.
                    val barrier = async(Dispatchers.IO) {
                        while (opened.get() < connections) Thread.sleep(10)
                        srv.waitFor(30_000) { srv.sockets() >= serverBase + connections }
                        serverAtPeak = srv.sockets()
                        clientAtPeak = Soak.openDescriptors()
                        openedAfterMillis = (System.nanoTime() - t0) / 1_000_000
                        allOpen.complete(Unit)
                    }
                    val dialing = Semaphore(32)
                    (0 until connections).map { i ->
                        async {
                            val c = dialing.withPermit { Net.dial("tcp", "127.0.0.1:${srv.port}") }
                            c.use {
                                opened.incrementAndGet()
                                allOpen.await()
                                verified.addAndGet(echoSeeded(c, i, bytesPerConn))
                            }
                        }
                    }.awaitAll()
                    barrier.await()
                }
            }
            val tookMillis = (System.nanoTime() - t0) / 1_000_000
            srv.waitFor(15_000) { srv.sockets() <= serverBase }
            val serverAfter = srv.sockets()
            println("ConnectionsSoak: $connections connections open at once after $openedAfterMillis ms " +
                "(descriptors: server $serverBase -> $serverAtPeak, this JVM $clientBase -> $clientAtPeak; soft limit ${Soak.softFdLimit()}); " +
                "${verified.get()} bytes echoed and compared (${bytesPerConn / 1024} KiB per connection) in $tookMillis ms; " +
                "server descriptors after close: $serverAfter")
            serverAtPeak shouldBeGreaterThanOrEqual serverBase + connections
            clientAtPeak shouldBeGreaterThanOrEqual clientBase + connections
            verified.get() shouldBe connections.toLong() * bytesPerConn
            withClue("the server's descriptors return to where they were") { serverAfter shouldBeLessThanOrEqual serverBase }
        }
    }
})

private const val CHUNK = 4 * 1024

/** Echoes [bytes] bytes from `Random(seed)` in [CHUNK] round trips, comparing each; the bytes verified. */
private suspend fun echoSeeded(c: Conn, seed: Int, bytes: Int): Long {
    val random = Random(seed)
    val sent = ByteArray(CHUNK)
    val back = ByteBuffer.allocate(CHUNK)
    var done = 0
    while (done < bytes) {
        val n = minOf(CHUNK, bytes - done)
        random.nextBytes(sent, 0, n)
        c.write(ByteBuffer.wrap(sent, 0, n))
        back.clear().limit(n)
        c.readFully(back)
        if (!java.util.Arrays.equals(back.array(), 0, n, sent, 0, n)) {
            throw AssertionError("connection $seed: the echo of bytes $done..${done + n} differs")
        }
        done += n
    }
    return done.toLong()
}
