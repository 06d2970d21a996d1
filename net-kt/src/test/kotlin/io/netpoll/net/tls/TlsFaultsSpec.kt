package io.netpoll.net.tls

import io.kotest.core.spec.style.StringSpec
import io.kotest.assertions.throwables.shouldThrowAny
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeSameInstanceAs
import io.netpoll.dispatcher.Netpoll
import io.netpoll.net.net
import io.netpoll.net.port
import io.netpoll.testing.Conversation
import io.netpoll.testing.EchoDriver
import io.netpoll.testing.Ending
import io.netpoll.testing.Fault
import io.netpoll.testing.FaultClass
import io.netpoll.testing.FaultProxy
import io.netpoll.testing.FaultRun
import io.netpoll.testing.SeededStream
import io.netpoll.testing.TestCerts
import io.netpoll.testing.TlsPair
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.cancel
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import java.io.IOException
import java.nio.ByteBuffer
import java.nio.channels.ClosedChannelException
import java.time.Instant
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicInteger
import javax.net.ssl.SSLException
import kotlin.time.Duration.Companion.seconds

/**
 * net-kt's TLS client ([Tls.client] over each dialled connection, its handshake run by the first
 * read and write) through [FaultProxy] to a TLS echo server of ours ([Tls.listen] on
 * Dispatchers.Netpoll): every fault class ([FaultClass.all]) x every way of calling
 * ([EchoDriver.all]: Kotlin read/write, readFully, BufReader/BufWriter; the Java facade's blocking
 * calls, futures and streams) x where the fault strikes ([Where]: in the handshake, at its last
 * byte, in the data). Every echoed byte arrives intact and in order, or the call ends with the
 * exact exception the fault calls for, within its deadline, and nothing is left open.
 *
 * Endings are [FaultClass.all]'s, with TLS's names where they differ ([tls]): where a plain
 * connection reads end of stream, TLS reads a truncation ([Ending.TRUNCATED]) unless the server
 * closed with close_notify; a handshake that fails ends reading and writing alike. TLS alone must
 * also catch a flipped byte ([corruption]). After a failed record every call throws its
 * SSLException again.
 *
 * The proxy counts ciphertext, the clients plaintext: a first, clean run measures each API's
 * records, what TLS adds to a record and the two handshake flights ([Conversation.tlsEcho]), so
 * a fault at a given byte must let through exactly the records that end before it. The server's
 * certificate has an RSA key (a fixed-size signature) and every client a config of its own (no
 * resumed sessions), so every handshake has the same size.
 */
class TlsFaultsSpec : StringSpec({
    val on = TestCerts.available
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Netpoll)
    lateinit var server: TlsEchoServer
    lateinit var proxy: FaultProxy
    val transport = TlsPair.transport()
    /** Plaintext sizes of the records each API seals, per conversation length. */
    val records = ConcurrentHashMap<Pair<EchoDriver, Int>, List<Int>>()
    /** What TLS adds to each record on the wire. */
    var overhead = 0
    /** The client's and the server's handshake flights, in bytes. */
    var flights = 0L to 0L
    var connections = 0
    var verified = 0L

    beforeSpec {
        if (on) {
            server = TlsEchoServer(scope, tlsConfig { certificate(TestCerts.file("rsa.pem"), TestCerts.file("rsa.key")) })
            proxy = FaultProxy.to(server.port)
        }
    }
    afterSpec {
        if (on) {
            proxy.close()
            server.close()
        }
        scope.cancel()
    }

    fun conversation(d: EchoDriver, bytes: Int, at: Where): Conversation {
        val (client, server) = flights
        val (up, down) = at.positions(client, server, bytes)
        return Conversation.tlsEcho(records.getValue(d to bytes), overhead, client, server, up, down)
    }

    "a clean relay: each API's records and the handshake flights, every byte on the wire accounted for".config(enabled = on) {
        net(bound = 60.seconds) {
            proxy.faults(Fault.none(), Fault.none())
            server.logReads = true
            // Per connection: its records, and how many bytes more than their plaintext went each way.
            val runs = ArrayList<Triple<Int, Long, Long>>()
            for (bytes in listOf(16 * 1024, 192 * 1024)) {
                for ((i, d) in EchoDriver.all.withIndex()) {
                    proxy.awaitIdle(5_000) shouldBe true
                    val (up0, down0) = proxy.bytesToServer() to proxy.bytesToClient()
                    val data = SeededStream(i + 1L)
                    val v = data.verifier()
                    var wire = 0L to 0L
                    val o = FaultRun.connection(proxy, 10_000, d.api, v::verified, transport) { c ->
                        d.run(c, data, bytes, v).also {
                            // Nothing more is sent until the close: wait for the proxy's counts to settle.
                            do {
                                val before = proxy.bytesToServer() to proxy.bytesToClient()
                                delay(50)
                            } while (before != proxy.bytesToServer() to proxy.bytesToClient())
                            wire = proxy.bytesToServer() - up0 to proxy.bytesToClient() - down0
                        }
                    }
                    (o.read to o.write) shouldBe (Ending.COMPLETE to Ending.COMPLETE)
                    o.verified shouldBe bytes
                    // The server echoes each record with one write as it reads it: its reads are the client's records.
                    val sealed = server.reads.receive()
                    sealed.sum() shouldBe bytes
                    records[d to bytes] = sealed
                    runs += Triple(sealed.size, wire.first - bytes, wire.second - bytes)
                    println("TlsFaultsSpec: ${d.api}, $bytes bytes: ${sealed.size} records, ${wire.first} bytes to the server, ${wire.second} to the client")
                }
            }
            server.logReads = false
            // Bytes beyond the plaintext = flight + records x overhead, one flight and one overhead for all.
            val few = runs.minBy { it.first }
            val many = runs.maxBy { it.first }
            overhead = ((many.second - few.second) / (many.first - few.first)).toInt()
            runs.map { (n, up, down) -> up - n * overhead to down - n * overhead }.toSet() shouldBe setOf(
                few.second - few.first * overhead to few.third - few.first * overhead,
            )
            flights = few.second - few.first * overhead to few.third - few.first * overhead
            println("TlsFaultsSpec: $overhead bytes per record; handshake flights of ${flights.first} bytes from the client, ${flights.second} from the server")
        }
    }

    "a record that fails authentication: SSLException, thrown again by every later read and write".config(enabled = on) {
        net {
            // The first byte of the second echoed record's ciphertext, past its header, is flipped.
            val chunk = 4096
            proxy.faults(Fault.none(), Fault.none().corruptAt(flights.second + chunk + overhead + 5))
            val data = SeededStream(7)
            val v = data.verifier()
            val failures = ArrayList<Throwable>()
            val o = FaultRun.connection(proxy, 10_000, "Conn.read/write", v::verified, transport) { c ->
                c.write(ByteBuffer.wrap(data.bytes(0, chunk)))
                val b = ByteBuffer.allocate(2 * chunk)
                c.readFully(b.limit(chunk))
                v.accept(b.flip())
                c.write(ByteBuffer.wrap(data.bytes(chunk.toLong(), chunk)))
                val first = shouldThrowAny { c.read(b.clear()) }
                failures += first
                // Go's tls.Conn keeps such an error: no later call may look like a clean end, a close of ours or a wait.
                c.setDeadline(Instant.now().plusMillis(1_000))
                suspend fun again(call: String, block: suspend () -> Unit) {
                    val t0 = System.nanoTime()
                    val e = shouldThrowAny { block() }
                    println("TlsFaultsSpec: after a corrupted record, $call: $e after ${(System.nanoTime() - t0) / 1_000_000} ms")
                    failures += e
                }
                again("read") { c.read(b.clear()) }
                again("tryRead") { c.tryRead(b.clear()) }
                again("readBlocking") { c.readBlocking(b.clear()) }
                again("write") { c.write(ByteBuffer.wrap(data.bytes(2L * chunk, chunk))) }
                again("writeBlocking") { c.writeBlocking(ByteBuffer.wrap(data.bytes(2L * chunk, chunk))) }
                again("awaitReadable, then read") { c.awaitReadable(); c.read(b.clear()) }
                Ending.of(first) to Ending.COMPLETE
            }
            o.verified shouldBe chunk
            failures.forEach { it.shouldBeSameInstanceAs(failures.first()) }
            failures.first().javaClass shouldBe SSLException::class.java
            proxy.faults(Fault.none(), Fault.none())
            proxy.awaitIdle(5_000) shouldBe true
        }
    }

    for (at in Where.entries) {
        for (fault in FaultClass.all.map { tls(it, at) } + corruption(at)) {
            "${at.label}: ${fault.name}: echoed bytes arrive intact and in order, or reading ends ${fault.read}, within the deadline, nothing left open"
                .config(enabled = on) {
                    net(bound = 60.seconds) {
                        val report = FaultRun.echo(proxy, fault, EchoDriver.all, server.open::get, transport) { d, bytes ->
                            conversation(d, bytes, at)
                        }
                        connections += report.outcomes.size
                        verified += report.verified
                        val handshakes = report.outcomes.count { !it.established }
                        println("TlsFaultsSpec: ${at.label}: $report; handshakes failed: $handshakes; server: ${server.endings()}")
                    }
                }
        }
    }

    "a writer blocked behind a stall ends with DeadlineExceededException at its deadline, whichever API it writes with".config(enabled = on) {
        net(bound = 60.seconds) {
            // 32 MiB is more than the client's send buffer and the proxy's receive buffer hold
            // together (tcp_wmem and tcp_rmem maxima of 4 and 6 MiB), so every writer blocks.
            val bytes = 32 shl 20
            val blocked = FaultClass(
                "stall towards the server, writer blocked", Ending.DEADLINE, FaultClass.Expect.OWED,
                writes = setOf(Ending.DEADLINE), deadlineMillis = FaultClass.STALL_DEADLINE,
            ) { up, _ -> Fault.none().stallAt(up).resumeAfter(2_000) to Fault.none() }
            // Each API seals 32 MiB into the same first records as 192 KiB, and the stall is within them.
            val (clientFlight, serverFlight) = flights
            val owed = EchoDriver.all.map { d ->
                Conversation.tlsEcho(records.getValue(d to 192 * 1024), overhead, clientFlight, serverFlight, clientFlight + 64 * 1024 + 13, serverFlight)
            }
            val report = FaultRun.check(proxy, blocked, owed.first(), server.open::get) {
                EchoDriver.all.mapIndexed { i, d ->
                    async {
                        val data = SeededStream(i + 1L)
                        val v = data.verifier()
                        FaultRun.connection(proxy, blocked.deadlineMillis, d.api, v::verified, transport, owed[i]) { c -> d.run(c, data, bytes, v) }
                    }
                }.awaitAll()
            }
            connections += report.outcomes.size
            verified += report.verified
            println("TlsFaultsSpec: $report; server: ${server.endings()}")
        }
    }

    "totals".config(enabled = on) {
        val classes = FaultClass.all.size + corruption(Where.DATA).size
        println(
            "TlsFaultsSpec: $classes fault classes x ${Where.entries.size} places and a blocked writer x " +
                "${EchoDriver.all.size} client APIs: $connections TLS connections, $verified bytes verified",
        )
    }
})

private const val HALF_CLOSE_TOWARDS_THE_SERVER = "half-close towards the server"

/**
 * [fault] as our TLS client must end it at [at]: where a plain connection reads end of stream,
 * it reads a truncation (the socket ended without close_notify: [Ending.TRUNCATED]), except where
 * our server ends the stream itself after its handshake: a half-close towards the server in the
 * data, which the server reads as a truncation and answers by closing, with close_notify.
 */
private fun tls(fault: FaultClass, at: Where): FaultClass {
    check(FaultClass.all.any { it.name == HALF_CLOSE_TOWARDS_THE_SERVER && it.read == Ending.EOF }) {
        "FaultClass.all has no '$HALF_CLOSE_TOWARDS_THE_SERVER' ending in EOF any more: revise the TLS endings"
    }
    return when {
        fault.read != Ending.EOF -> fault
        fault.name == HALF_CLOSE_TOWARDS_THE_SERVER && at == Where.DATA -> fault
        else -> fault.readEnding(Ending.TRUNCATED)
    }
}

/**
 * TLS only: one flipped byte, which TLS must catch (a plain connection has only TCP's checksum).
 * The reader gets the [javax.net.ssl.SSLException] of the record that failed, having received
 * exactly the records before it; or, when the server caught it, its alert about it. A writer may
 * finish first, be reset by the server's close, or get the same exception.
 *
 * Once the client's handshake is complete it goes on writing while the server fails, and the
 * server's close (unread data: a reset) can reach the proxy's other pump before it has passed on
 * the alert: the proxy then resets the client first. So there, reading may end with the reset,
 * having received at most the records before the flipped byte.
 */
private fun corruption(at: Where): List<FaultClass> {
    val writes = setOf(Ending.COMPLETE, Ending.RESET, Ending.TLS)
    val overtaken = if (at == Where.HANDSHAKE) emptySet() else setOf(Ending.RESET)
    return listOf(
        FaultClass("corruption towards the server", at.corruptRequest, FaultClass.Expect.OWED_AT_MOST, writes, orRead = overtaken) { up, _ ->
            Fault.none().corruptAt(up) to Fault.none()
        },
        FaultClass("corruption towards the client", Ending.TLS, FaultClass.Expect.LET_THROUGH, writes) { _, down ->
            Fault.none() to Fault.none().corruptAt(down)
        },
    )
}

/**
 * Where a fault strikes in a TLS echo, for the client's stream (up) and the server's (down), and
 * how a corrupted byte in the client's stream ends the client's reading there.
 */
private enum class Where(val label: String, val corruptRequest: Ending) {
    /**
     * Halfway through each flight: the handshake cannot complete on either side. A flipped byte in
     * the ClientHello (not encrypted) makes the server refuse it: decode_error.
     */
    HANDSHAKE("in the handshake", Ending.TLS_HANDSHAKE) {
        override fun positions(client: Long, server: Long, bytes: Int) = client / 2 to server / 2
    },

    /**
     * At the last byte of each flight: inside the client's Finished (its handshake is complete,
     * the server's is not) and inside the server's session ticket (the client needs it for nothing).
     */
    FLIGHT_END("at the handshake's last byte", Ending.TLS) {
        override fun positions(client: Long, server: Long, bytes: Int) = client - 1 to server - 1
    },

    /** A third into the records, as for plain connections. */
    DATA("in the data", Ending.TLS) {
        override fun positions(client: Long, server: Long, bytes: Int) = client + bytes / 3 + 13 to server + bytes / 3 + 13
    };

    abstract fun positions(client: Long, server: Long, bytes: Int): Pair<Long, Long>
}

/**
 * A TLS echo server of ours: each connection echoes every read with one write until the stream
 * ends or fails. [open] counts connections not yet closed; [endings] how connections ended
 * (for the report); with [logReads] on, each connection's read sizes go to [reads] as it closes.
 */
private class TlsEchoServer(scope: CoroutineScope, config: TlsConfig) : AutoCloseable {
    private val ln = Tls.listen("tcp", "127.0.0.1:0", config)
    val port = ln.listener.port
    val open = AtomicInteger()
    val reads = Channel<List<Int>>(Channel.UNLIMITED)

    @Volatile
    var logReads = false
    private val ended = ConcurrentHashMap<String, AtomicInteger>()

    init {
        scope.launch {
            while (true) {
                val c = try { ln.accept() } catch (e: ClosedChannelException) { break }
                open.incrementAndGet()
                launch {
                    val sizes = ArrayList<Int>()
                    var ending = "end of stream"
                    try {
                        val b = ByteBuffer.allocateDirect(16 * 1024)
                        while (true) {
                            val n = c.read(b.clear())
                            if (n < 0) break
                            sizes += n
                            c.write(b.flip())
                        }
                    } catch (e: IOException) {
                        // The fault under test ended this connection.
                        ending = e.javaClass.simpleName
                    } finally {
                        c.close()
                        ended.computeIfAbsent(ending) { AtomicInteger() }.incrementAndGet()
                        if (logReads) reads.trySend(sizes)
                        open.decrementAndGet()
                    }
                }
            }
        }
    }

    /** How connections have ended since the last call, by exception type. */
    fun endings(): Map<String, Int> = ended.keys.associateWith { ended.remove(it)!!.get() }.toSortedMap()

    override fun close() = ln.close()
}
