package io.netpoll.net.tls

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.netpoll.DeadlineExceededException
import io.netpoll.net.Net
import io.netpoll.net.bytes
import io.netpoll.net.net
import io.netpoll.net.port
import io.netpoll.net.text
import io.netpoll.testing.Relay
import io.netpoll.testing.SeededStream
import io.netpoll.testing.TestCerts
import io.netpoll.testing.TlsPair
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeoutOrNull
import java.io.EOFException
import java.nio.ByteBuffer
import java.time.Instant
import kotlin.random.Random
import kotlin.time.Duration.Companion.seconds

/**
 * A TLS stream stays intact through whatever interrupts a call: a deadline firing while a record
 * is half delivered (read) or half sent (write), cancellations racing with records, and the ways
 * a stream ends (close_notify, a socket closed without it, a connection cut inside a record,
 * closeWrite). Data is a [SeededStream], checked byte by byte.
 */
class TlsStreamSpec : FunSpec({
    val on = TestCerts.available

    /** Our client through a [Relay] to our server, both handshaken and the relay quiet. */
    suspend fun kotlinx.coroutines.CoroutineScope.relayed(): Triple<Relay, TlsConn, TlsConn> {
        val ln = Tls.listen("tcp", "127.0.0.1:0", TlsPair.serverConfig())
        val relay = Relay(this, ln.listener.port)
        val accepted = async { ln.accept() }
        val c = Tls.client(Net.dial("tcp", "127.0.0.1:${relay.port}"), TlsPair.clientConfig())
        val s = accepted.await()
        ln.close()
        listOf(async { c.handshake() }, async { s.handshake() }).forEach { it.await() }
        // One byte through, so what the server sent after the handshake (TLS 1.3 session
        // tickets) has passed the relay before a test counts bytes to hold back.
        s.write(bytes("!"))
        c.readFully(ByteBuffer.allocate(1))
        return Triple(relay, c, s)
    }

    test("a read deadline firing while a record is half delivered leaves it for the next read").config(enabled = on) {
        net {
            val (relay, c, s) = relayed()
            val message = SeededStream(1).bytes(0, 1000)
            relay.down.holdAfter(500)
            s.write(ByteBuffer.wrap(message))
            relay.down.awaitLimit()
            c.setReadDeadline(Instant.now().plusMillis(200))
            val got = ByteBuffer.allocate(1000)
            shouldThrow<DeadlineExceededException> { c.read(got) }
            got.position() shouldBe 0
            c.setReadDeadline(null)
            relay.down.release()
            c.readFully(got)
            got.array().contentEquals(message) shouldBe true
            listOf(c, s, relay).forEach { it.close() }
        }
    }

    test("a write deadline firing mid-write: the next write continues and the peer gets every byte once").config(enabled = on) {
        net(bound = 60.seconds) {
            val (ln, c, s) = TlsPair.pair()
            // Small socket buffers, so a peer that does not read soon blocks the writer.
            c.conn.setWriteBuffer(32 * 1024)
            s.conn.setReadBuffer(32 * 1024)
            val data = SeededStream(2)
            val total = 16L shl 20
            var sent = 0L
            var deadlines = 0
            val chunk = ByteBuffer.allocate(64 * 1024)
            var reader: kotlinx.coroutines.Deferred<Long>? = null
            while (sent < total) {
                chunk.clear()
                chunk.limit(minOf(chunk.capacity().toLong(), total - sent).toInt())
                data.fill(chunk, sent)
                chunk.flip()
                // Short deadlines until one fires (the peer is not reading yet), then none.
                c.setWriteDeadline(if (reader == null) Instant.now().plusMillis(100) else null)
                try {
                    c.write(chunk)
                } catch (e: DeadlineExceededException) {
                    deadlines++
                    reader = async {
                        val v = data.verifier()
                        val buf = ByteBuffer.allocate(32 * 1024)
                        while (v.verified() < total) {
                            buf.clear()
                            if (s.read(buf) < 0) break
                            buf.flip()
                            v.accept(buf)
                        }
                        v.verified()
                    }
                }
                sent += chunk.position() // what the write took, interrupted or not
            }
            reader!!.await() shouldBe total
            deadlines shouldBe 1
            listOf(c, s, ln).forEach { it.close() }
        }
    }

    test("1,000 reads cancelled at random moments lose and duplicate nothing").config(enabled = on) {
        net(bound = 60.seconds) {
            val (relay, c, s) = relayed()
            val data = SeededStream(3)
            val total = 2L shl 20
            val writer = launch {
                var sent = 0L
                val rnd = Random(3)
                while (sent < total) {
                    val b = ByteBuffer.wrap(data.bytes(sent, minOf(rnd.nextInt(1, 20_000).toLong(), total - sent).toInt()))
                    s.write(b)
                    sent += b.capacity()
                    if (rnd.nextInt(4) == 0) delay(1)
                }
            }
            val v = data.verifier()
            val rnd = Random(4)
            var cancelled = 0
            var iterations = 0
            val buf = ByteBuffer.allocate(40_000)
            while (v.verified() < total) {
                buf.clear()
                val n = if (iterations++ < 1000) withTimeoutOrNull(rnd.nextLong(1, 3)) { c.read(buf) } else c.read(buf)
                if (n == null) cancelled++
                buf.flip()
                v.accept(buf) // a cancelled read may still have taken nothing: whatever it put here is real
            }
            writer.join()
            v.verified() shouldBe total
            println("1,000 reads with 1-2 ms timeouts: $cancelled cancelled, ${2 shl 20} bytes intact")
            (cancelled > 0) shouldBe true
            listOf(c, s, relay).forEach { it.close() }
        }
    }

    test("1,000 writes cancelled at random moments lose and duplicate nothing").config(enabled = on) {
        net(bound = 60.seconds) {
            val (ln, c, s) = TlsPair.pair()
            c.conn.setWriteBuffer(32 * 1024)
            s.conn.setReadBuffer(32 * 1024)
            val data = SeededStream(5)
            val total = 12L shl 20
            val reader = async {
                val v = data.verifier()
                val buf = ByteBuffer.allocate(8 * 1024)
                val rnd = Random(6)
                while (v.verified() < total) {
                    buf.clear()
                    if (s.read(buf) < 0) break
                    buf.flip()
                    v.accept(buf)
                    if (rnd.nextInt(8) == 0) delay(1)
                }
                v.verified()
            }
            val rnd = Random(7)
            var sent = 0L
            var cancelled = 0
            var iterations = 0
            while (sent < total) {
                val b = ByteBuffer.wrap(data.bytes(sent, minOf(rnd.nextInt(1, 20_000).toLong(), total - sent).toInt()))
                if (iterations++ < 1000) {
                    if (withTimeoutOrNull(rnd.nextLong(1, 3)) { c.write(b) } == null) cancelled++
                } else {
                    c.write(b)
                }
                sent += b.position()
            }
            c.write(ByteBuffer.allocate(0)) // sends what the last cancelled write had sealed
            reader.await() shouldBe total
            println("writes with 1-2 ms timeouts: $cancelled of ${minOf(iterations, 1000)} cancelled, ${total shr 20} MiB intact")
            (cancelled > 0) shouldBe true
            listOf(c, s, ln).forEach { it.close() }
        }
    }

    test("close sends close_notify: the peer reads end of stream").config(enabled = on) {
        net {
            val (ln, c, s) = TlsPair.pair()
            s.write(bytes("last words"))
            s.close()
            val got = ByteBuffer.allocate(100)
            while (c.read(got) >= 0) { /* until end of stream */ }
            got.text() shouldBe "last words"
            c.read(ByteBuffer.allocate(1)) shouldBe -1
            listOf(c, ln).forEach { it.close() }
        }
    }

    test("a socket closed without close_notify is a truncation: EOFException").config(enabled = on) {
        net {
            val (ln, c, s) = TlsPair.pair()
            s.write(bytes("data"))
            s.conn.close()
            val got = ByteBuffer.allocate(4)
            c.readFully(got)
            val e = shouldThrow<EOFException> { c.read(ByteBuffer.allocate(10)) }
            e.message shouldContain "without close_notify"
            listOf(c, ln).forEach { it.close() }
        }
    }

    test("a connection cut inside a record is a truncation that says so").config(enabled = on) {
        net {
            val (relay, c, s) = relayed()
            relay.down.holdAfter(100)
            relay.down.endAfterLimit = true
            s.write(ByteBuffer.wrap(SeededStream(8).bytes(0, 1000)))
            val e = shouldThrow<EOFException> { c.readFully(ByteBuffer.allocate(1000)) }
            e.message shouldContain "inside a record"
            listOf(c, s, relay).forEach { it.close() }
        }
    }

    test("closeWrite: the peer reads end of stream and can still answer").config(enabled = on) {
        net {
            val (ln, c, s) = TlsPair.pair()
            c.write(bytes("request"))
            c.closeWrite()
            val req = ByteBuffer.allocate(100)
            while (s.read(req) >= 0) { /* until the client's close_notify */ }
            req.text() shouldBe "request"
            s.write(bytes("answer"))
            s.close()
            val ans = ByteBuffer.allocate(100)
            while (c.read(ans) >= 0) { /* until the server's close_notify */ }
            ans.text() shouldBe "answer"
            shouldThrow<java.nio.channels.ClosedChannelException> { c.write(bytes("more")) }
            listOf(c, ln).forEach { it.close() }
        }
    }

    test("one reader and one writer at once, 8 MiB each way").config(enabled = on) {
        net(bound = 60.seconds) {
            val (ln, c, s) = TlsPair.pair()
            val total = 8L shl 20
            suspend fun send(conn: TlsConn, data: SeededStream) {
                var sent = 0L
                val b = ByteBuffer.allocate(50_000)
                while (sent < total) {
                    b.clear().limit(minOf(b.capacity().toLong(), total - sent).toInt())
                    data.fill(b, sent)
                    conn.write(b.flip())
                    sent += b.limit()
                }
            }
            suspend fun receive(conn: TlsConn, data: SeededStream): Long {
                val v = data.verifier()
                val b = ByteBuffer.allocate(30_000)
                while (v.verified() < total) {
                    b.clear()
                    if (conn.read(b) < 0) break
                    v.accept(b.flip())
                }
                return v.verified()
            }
            val jobs = listOf(
                async { send(c, SeededStream(10)); 0L }, async { send(s, SeededStream(11)); 0L },
                async { receive(s, SeededStream(10)) }, async { receive(c, SeededStream(11)) },
            )
            jobs.map { it.await() }.drop(2) shouldBe listOf(total, total)
            listOf(c, s, ln).forEach { it.close() }
        }
    }
})
