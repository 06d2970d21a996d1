package io.netpoll.net

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.netpoll.dispatcher.Netpoll
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
import java.util.zip.CRC32
import kotlin.random.Random
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource

/**
 * Echo integrity at scale: [connections] concurrent connections each send [bytesPerConn] random
 * bytes through an echo server and compare the CRC32 of what comes back. About 2 GiB cross
 * loopback in total (1 GiB each way); the time is printed, not asserted.
 *
 * All connections are open and transferring at once, but at most [dialsInFlight] handshakes are
 * in progress at a time: a thousand simultaneous SYNs overflow the kernel's SYN queue (it logs
 * "possible SYN flooding" and falls back to cookies), which tests the kernel, not net-kt.
 */
suspend fun echoAtScale(
    dispatcher: CoroutineDispatcher,
    name: String,
    connections: Int = 1_000,
    bytesPerConn: Int = 1 shl 20,
    dialsInFlight: Int = 32,
) {
    net(dispatcher, bound = 110.seconds) {
        val ln = Net.listen("tcp", "127.0.0.1:0")
        val server = launch {
            while (true) {
                val c = try { ln.accept() } catch (e: AsynchronousCloseException) { break }
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
                val payload = ByteArray(bytesPerConn).also { Random(i).nextBytes(it) }
                val sent = CRC32().apply { update(payload) }.value
                dialing.withPermit { Net.dial("tcp", "127.0.0.1:${ln.port}") }.use { c ->
                    coroutineScope {
                        launch {
                            val src = ByteBuffer.wrap(payload)
                            while (src.hasRemaining()) {
                                c.write(src.slice(src.position(), minOf(64 * 1024, src.remaining())))
                                src.position(minOf(src.limit(), src.position() + 64 * 1024))
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
                        got shouldBe bytesPerConn.toLong()
                        crc.value shouldBe sent
                    }
                }
                1
            }
        }.awaitAll()
        val took = start.elapsedNow()
        ln.close()
        server.join()
        results.sum() shouldBe connections
        val mib = 2.0 * connections * bytesPerConn / (1 shl 20)
        println("EchoScale[$name]: $connections connections x ${bytesPerConn shr 10} KiB echoed, checksums equal; " +
            "${"%.0f".format(mib)} MiB through loopback in $took (${"%.0f".format(mib / took.inWholeMilliseconds * 1000)} MiB/s)")
    }
}

class EchoScaleSpec : FunSpec({
    test("1,000 concurrent connections x 1 MiB echo with equal checksums on Dispatchers.Default") {
        echoAtScale(Dispatchers.Default, "Dispatchers.Default")
    }
})

class EchoScaleNetpollSpec : FunSpec({
    test("1,000 concurrent connections x 1 MiB echo with equal checksums on Dispatchers.Netpoll") {
        echoAtScale(Dispatchers.Netpoll, "Dispatchers.Netpoll")
    }
})
