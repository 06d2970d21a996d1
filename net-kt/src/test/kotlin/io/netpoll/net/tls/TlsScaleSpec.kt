package io.netpoll.net.tls

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.netpoll.dispatcher.Netpoll
import io.netpoll.net.net
import io.netpoll.testing.SeededStream
import io.netpoll.testing.TestCerts
import io.netpoll.testing.TlsPair
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Semaphore
import kotlinx.coroutines.sync.withPermit
import java.net.InetSocketAddress
import java.nio.ByteBuffer
import java.nio.channels.AsynchronousCloseException
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource

/**
 * TLS integrity at scale: 1,000 of our clients hold TLS connections to our server at once, then
 * each streams 1 MiB of its own seeded data (connection i sends [SeededStream] i, announced in a
 * 4-byte header), the server verifies every byte and answers with the count it verified. 1 GiB
 * is encrypted and decrypted in all; the time is printed, not asserted.
 *
 * Nothing is sent until every connection has finished its handshake on both sides (a barrier).
 * At most 32 dials are in flight at a time, as in EchoScaleSpec: a thousand simultaneous SYNs
 * test the kernel's SYN queue, not TLS.
 */
class TlsScaleSpec : FunSpec({
    val on = TestCerts.available
    val connections = 1_000
    val perConn = 1L shl 20

    test("1,000 concurrent TLS connections each stream 1 MiB of seeded data, verified end to end")
        .config(enabled = on) {
            net(Dispatchers.Netpoll, bound = 170.seconds) {
                val started = TimeSource.Monotonic.markNow()
                val ln = Tls.listen("tcp", "127.0.0.1:0", TlsPair.serverConfig())
                val port = (ln.localAddress as InetSocketAddress).port
                val ready = AtomicInteger()
                val allReady = CompletableDeferred<Unit>()
                fun handshaken() {
                    if (ready.incrementAndGet() == 2 * connections) allReady.complete(Unit)
                }
                val server = launch {
                    while (true) {
                        val s = try { ln.accept() } catch (e: AsynchronousCloseException) { break }
                        launch {
                            s.use {
                                s.handshake()
                                handshaken()
                                val head = ByteBuffer.allocate(4)
                                s.readFully(head)
                                val v = SeededStream(head.flip().int.toLong()).verifier()
                                val b = ByteBuffer.allocate(16 * 1024)
                                while (v.verified() < perConn) {
                                    if (s.read(b.clear()) < 0) break
                                    v.accept(b.flip())
                                }
                                s.write(ByteBuffer.allocate(8).putLong(0, v.verified()))
                            }
                        }
                    }
                }
                val dials = Semaphore(32)
                val clientConfig = TlsPair.clientConfig()
                val verified = (0 until connections).map { i ->
                    async {
                        val c = dials.withPermit { Tls.dial("tcp", "localhost:$port", clientConfig) }
                        c.use {
                            handshaken()
                            allReady.await()
                            c.write(ByteBuffer.allocate(4).putInt(0, i))
                            val data = SeededStream(i.toLong())
                            val b = ByteBuffer.allocate(16 * 1024)
                            var sent = 0L
                            while (sent < perConn) {
                                b.clear().limit(minOf(b.capacity().toLong(), perConn - sent).toInt())
                                data.fill(b, sent)
                                c.write(b.flip())
                                sent += b.limit()
                            }
                            val answer = ByteBuffer.allocate(8)
                            c.readFully(answer)
                            answer.getLong(0)
                        }
                    }
                }.awaitAll()
                ln.close()
                server.join()
                verified.count { it == perConn } shouldBe connections
                println("TlsScaleSpec: $connections TLS connections x 1 MiB verified in ${started.elapsedNow()}")
            }
        }
})
