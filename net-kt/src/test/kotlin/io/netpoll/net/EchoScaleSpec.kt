package io.netpoll.net

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.ints.shouldBeGreaterThanOrEqual
import io.kotest.matchers.shouldBe
import io.netpoll.dispatcher.Netpoll
import io.netpoll.poller.Netpoll
import io.netpoll.poller.NetpollStats
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Semaphore
import kotlinx.coroutines.sync.withPermit
import java.nio.ByteBuffer
import java.nio.channels.AsynchronousCloseException
import java.util.concurrent.atomic.AtomicInteger
import java.util.zip.CRC32
import kotlin.random.Random
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource

/**
 * Echo integrity at scale: [connections] connections each send [bytesPerConn] random bytes through
 * an echo server and compare the CRC32 of what comes back. About 2 GiB cross loopback in total
 * (1 GiB each way); the time is printed, not asserted.
 *
 * All connections are open at once: nothing is sent until every client has dialled and the server
 * has accepted every connection (a barrier), so both sides hold [connections] sockets together;
 * the stats at that moment are returned. At most [dialsInFlight] handshakes are in progress at a
 * time: a thousand simultaneous SYNs overflow the kernel's SYN queue (it logs "possible SYN
 * flooding" and falls back to cookies), which tests the kernel, not net-kt.
 *
 * Each client generates its bytes after the barrier, 16 KiB at a time from a seeded [Random],
 * so no connection holds its whole payload.
 */
suspend fun echoAtScale(
    dispatcher: CoroutineDispatcher,
    name: String,
    connections: Int = 1_000,
    bytesPerConn: Int = 1 shl 20,
    dialsInFlight: Int = 32,
): NetpollStats = net(dispatcher, bound = 110.seconds) {
    val clientsOpen = AtomicInteger()
    val serversOpen = AtomicInteger()
    val allOpen = CompletableDeferred<NetpollStats>()
    fun opened(side: AtomicInteger, other: AtomicInteger) {
        if (side.incrementAndGet() == connections && other.get() == connections) {
            allOpen.complete(Netpoll.get().stats())
        }
    }
    val ln = Net.listen("tcp", "127.0.0.1:0")
    val server = launch {
        while (true) {
            val c = try { ln.accept() } catch (e: AsynchronousCloseException) { break }
            opened(serversOpen, clientsOpen)
            launch {
                c.use {
                    val b = ByteBuffer.allocateDirect(16 * 1024)
                    while (it.read(b.clear()) > 0) {
                        it.write(b.flip())
                    }
                }
            }
        }
    }
    val start = TimeSource.Monotonic.markNow()
    val dialing = Semaphore(dialsInFlight)
    val results = (0 until connections).map { i ->
        async {
            dialing.withPermit { Net.dial("tcp", "127.0.0.1:${ln.port}") }.use { c ->
                opened(clientsOpen, serversOpen)
                allOpen.await()
                coroutineScope {
                    val sent = CRC32()
                    val writer = launch {
                        val random = Random(i)
                        val chunk = ByteArray(16 * 1024)
                        val src = ByteBuffer.wrap(chunk)
                        var left = bytesPerConn
                        while (left > 0) {
                            val n = minOf(left, chunk.size)
                            random.nextBytes(chunk, 0, n)
                            sent.update(chunk, 0, n)
                            c.write(src.clear().limit(n))
                            left -= n
                        }
                        c.closeWrite()
                    }
                    val crc = CRC32()
                    val b = ByteBuffer.allocateDirect(16 * 1024)
                    var got = 0L
                    while (true) {
                        b.clear()
                        if (c.read(b) < 0) break
                        b.flip()
                        got += b.remaining()
                        crc.update(b)
                    }
                    writer.join()
                    got shouldBe bytesPerConn.toLong()
                    crc.value shouldBe sent.value
                }
            }
            1
        }
    }.awaitAll()
    val took = start.elapsedNow()
    ln.close()
    server.join()
    results.sum() shouldBe connections
    val atPeak = allOpen.await()
    // Every connection's two ends, plus the listener, were registered with the poller together.
    atPeak.descriptors() shouldBeGreaterThanOrEqual 2 * connections + 1
    val mib = 2.0 * connections * bytesPerConn / (1 shl 20)
    println("EchoScale[$name]: $connections connections open at once (${atPeak.descriptors()} descriptors registered), " +
        "each echoed ${bytesPerConn shr 10} KiB with equal checksums; " +
        "${"%.0f".format(mib)} MiB through loopback in $took (${"%.0f".format(mib / took.inWholeMilliseconds * 1000)} MiB/s)")
    atPeak
}

/**
 * Runs in a JVM of its own (the pom's `isolated` execution), so that no Dispatchers.Netpoll left
 * attached by another spec does the polling: the Netpoll's own driver thread must.
 */
class EchoScaleSpec : FunSpec({
    test("1,000 connections open at once x 1 MiB echo with equal checksums on Dispatchers.Default, polled by the Netpoll's driver thread") {
        val atPeak = echoAtScale(Dispatchers.Default, "Dispatchers.Default")
        atPeak.drivers() shouldBe 0
        atPeak.driverThread() shouldBe true
        Netpoll.get().stats().drivers() shouldBe 0
    }
})

class EchoScaleNetpollSpec : FunSpec({
    test("1,000 connections open at once x 1 MiB echo with equal checksums on Dispatchers.Netpoll") {
        val atPeak = echoAtScale(Dispatchers.Netpoll, "Dispatchers.Netpoll")
        atPeak.drivers() shouldBeGreaterThanOrEqual 1
    }
})
