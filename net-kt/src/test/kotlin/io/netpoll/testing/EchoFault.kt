package io.netpoll.testing

import io.netpoll.net.Conn
import io.netpoll.net.Net
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import java.nio.ByteBuffer
import java.nio.channels.ClosedChannelException
import java.time.Instant
import kotlin.time.Duration.Companion.seconds

/**
 * Echo connections through a [FaultProxy], one fault class at a time, with what each class must
 * end in. The contract checked for every connection: the echoed bytes that arrive are exactly the
 * first bytes sent, in order ([SeededStream]); then either all of them arrived ([Ending.COMPLETE])
 * or the reading call ended the way the fault dictates, by exact exception type; within its
 * deadline plus [SLACK_MILLIS]; and afterwards a call on the closed connection is
 * [ClosedChannelException], and the process's descriptors, the Netpoll's and the server's
 * connections are back at their baseline.
 *
 * Positions: `at` is a byte offset in the middle of a chunk (never aligned to the drivers' frames).
 * Where the count of bytes that must arrive is exact it says so: a fault towards the client at `at`
 * delivers exactly `at` echoed bytes; a half-close towards the server too (the server echoes all it
 * got, then closes); a truncation or reset towards the server may cut the echo of the last chunk,
 * so at most `at` arrive.
 */
class EchoFault(
    val name: String,
    val toServer: Fault,
    val toClient: Fault,
    /** Bytes each connection sends. */
    val bytes: Int,
    val deadlineMillis: Long,
    /** How reading must end. */
    val read: Ending,
    /** For a read that does not complete: exactly this many bytes must arrive, or at most [atMost]. */
    val exactly: Long? = null,
    val atMost: Long? = null,
    /** How writing may end. */
    val writes: Set<Ending> = setOf(Ending.COMPLETE),
) {
    override fun toString() = "$name (to server: $toServer; to client: $toClient)"

    fun check(r: EchoRun) {
        val where = "$name via ${r.api}: read ${r.read} after ${r.verified} bytes, write ${r.write}, ${r.millis} ms"
        if (!r.read.meets(read, r.write)) throw AssertionError("$where: reading must end $read")
        when {
            read == Ending.COMPLETE -> if (r.verified != bytes.toLong()) throw AssertionError("$where: $bytes bytes expected")
            exactly != null -> if (r.verified != exactly) throw AssertionError("$where: exactly $exactly bytes expected")
            atMost != null -> if (r.verified > atMost) throw AssertionError("$where: at most $atMost bytes expected")
        }
        if (r.write !in writes) throw AssertionError("$where: writing must end in one of $writes")
        if (read == Ending.DEADLINE && r.millis < deadlineMillis - 20) {
            throw AssertionError("$where: the deadline of $deadlineMillis ms fired early")
        }
        if (r.millis > deadlineMillis + SLACK_MILLIS) {
            throw AssertionError("$where: past its deadline of $deadlineMillis ms + $SLACK_MILLIS ms slack")
        }
    }

    companion object {
        /** What a loaded 2-core machine may add to a deadline. */
        const val SLACK_MILLIS = 3_000L
        private const val N = 192 * 1024
        private const val AT = N / 3L + 13
        private const val DEADLINE = 10_000L
        private const val STALL_DEADLINE = 1_200L
        private const val STALL_RESUME = 2_000L
        private val none = Fault.none()

        /** Every fault class, in both directions where the direction matters. */
        val classes: List<EchoFault> = listOf(
            EchoFault("clean relay", none, none, N, DEADLINE, Ending.COMPLETE),
            EchoFault("delay 3 ms per chunk", none.delay(3), none.delay(3), N, DEADLINE, Ending.COMPLETE),
            EchoFault("throttle 2 MB/s", none.throttle(2_000_000), none.throttle(2_000_000), N, DEADLINE, Ending.COMPLETE),
            EchoFault("1-byte segments", none.fragment(1), none.fragment(1), 12 * 1024, DEADLINE, Ending.COMPLETE),
            EchoFault("7- and 3-byte segments", none.fragment(7), none.fragment(3), 48 * 1024, DEADLINE, Ending.COMPLETE),
            EchoFault("stall towards the server, resumed", none.stallAt(AT).resumeAfter(300), none, N, DEADLINE, Ending.COMPLETE),
            EchoFault(
                "stall towards the server past the deadline", none.stallAt(AT).resumeAfter(STALL_RESUME), none, N,
                STALL_DEADLINE, Ending.DEADLINE, exactly = AT, writes = setOf(Ending.COMPLETE, Ending.DEADLINE),
            ),
            EchoFault(
                "stall towards the client past the deadline", none, none.stallAt(AT).resumeAfter(STALL_RESUME), N,
                STALL_DEADLINE, Ending.DEADLINE, exactly = AT, writes = setOf(Ending.COMPLETE, Ending.DEADLINE),
            ),
            EchoFault("truncation towards the server", none.truncateAt(AT), none, N, DEADLINE, Ending.EOF, atMost = AT),
            EchoFault("truncation towards the client", none, none.truncateAt(AT), N, DEADLINE, Ending.EOF, exactly = AT),
            EchoFault("half-close towards the server", none.halfCloseAt(AT), none, N, DEADLINE, Ending.EOF, exactly = AT),
            EchoFault("half-close towards the client", none, none.halfCloseAt(AT), N, DEADLINE, Ending.EOF, exactly = AT),
            EchoFault(
                "reset towards the server", none.resetAt(AT), none, N, DEADLINE, Ending.RESET, atMost = AT,
                writes = setOf(Ending.COMPLETE, Ending.RESET),
            ),
            EchoFault(
                "reset towards the client", none, none.resetAt(AT), N, DEADLINE, Ending.RESET, atMost = AT,
                writes = setOf(Ending.COMPLETE, Ending.RESET),
            ),
            EchoFault(
                "reset at the first byte", none.resetAt(0), none, N, DEADLINE, Ending.RESET, exactly = 0,
                writes = setOf(Ending.COMPLETE, Ending.RESET),
            ),
        )

        /**
         * Runs [fault] through [proxy] (whose target is an echo server) once per driver, all at once,
         * checks every connection and the resources after, and returns the figures.
         */
        suspend fun run(proxy: FaultProxy, fault: EchoFault, drivers: List<EchoDriver>, serverConns: () -> Int): EchoReport {
            check(proxy.awaitIdle(5_000)) { "connections left over before: $proxy" }
            val before = Resources.settle(Resources.now(serverConns), serverConns)
            proxy.faults(fault.toServer, fault.toClient)
            val runs = coroutineScope {
                drivers.mapIndexed { i, d -> async { runOne(proxy, fault, d, seed = i + 1L) } }.awaitAll()
            }
            runs.forEach(fault::check)
            check(proxy.awaitIdle(10_000)) { "proxy connections still open after ${fault.name}: $proxy" }
            val after = Resources.settle(before, serverConns)
            if (after.fds > before.fds || after.netpoll > before.netpoll || after.serverConns > before.serverConns) {
                throw AssertionError("${fault.name}: resources not back to their baseline: before $before, after $after")
            }
            return EchoReport(fault, runs, before, after)
        }

        /** One connection: dial through the proxy, deadline, run, close; a read after close must be ClosedChannelException. */
        suspend fun runOne(proxy: FaultProxy, fault: EchoFault, driver: EchoDriver, seed: Long): EchoRun {
            val data = SeededStream(seed)
            val v = data.verifier()
            val t0 = System.nanoTime()
            val c: Conn = try {
                Net.dial("tcp", "127.0.0.1:${proxy.port()}", timeout = 5.seconds)
            } catch (e: java.io.IOException) {
                // A reset at the first byte can beat the dial's own check of the connect (SO_ERROR), as in Go.
                val ending = Ending.of(e)
                return EchoRun(driver.api, ending, ending, 0, (System.nanoTime() - t0) / 1_000_000)
            }
            val (read, write) = try {
                c.setDeadline(Instant.now().plusMillis(fault.deadlineMillis))
                driver.run(c, data, fault.bytes, v)
            } finally {
                c.close()
            }
            val millis = (System.nanoTime() - t0) / 1_000_000
            try {
                c.read(ByteBuffer.allocate(1))
                throw AssertionError("${driver.api}: a read on a closed connection returned")
            } catch (e: ClosedChannelException) {
                if (e.javaClass != ClosedChannelException::class.java) throw AssertionError("${driver.api}: $e after close", e)
            }
            return EchoRun(driver.api, read, write, v.verified(), millis)
        }
    }
}

/** One connection's outcome. */
data class EchoRun(val api: String, val read: Ending, val write: Ending, val verified: Long, val millis: Long)

/** One fault class's figures, printed for the README. */
class EchoReport(val fault: EchoFault, val runs: List<EchoRun>, val before: Resources, val after: Resources) {
    val bytesVerified: Long get() = runs.sumOf { it.verified }

    override fun toString(): String {
        val reads = runs.groupingBy { it.read }.eachCount()
        val writes = runs.groupingBy { it.write }.eachCount()
        return "${fault.name}: ${runs.size} connections, $bytesVerified bytes verified, reads ended $reads, " +
            "writes $writes, max ${runs.maxOf { it.millis }} ms (deadline ${fault.deadlineMillis} ms); before $before, after $after"
    }
}
