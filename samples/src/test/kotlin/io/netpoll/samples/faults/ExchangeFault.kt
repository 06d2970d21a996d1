package io.netpoll.samples.faults

import io.netpoll.net.Net
import io.netpoll.testing.Ending
import io.netpoll.testing.Fault
import io.netpoll.testing.FaultProxy
import io.netpoll.testing.Resources
import java.nio.ByteBuffer
import java.nio.channels.ClosedChannelException
import java.time.Instant
import kotlin.time.Duration.Companion.seconds

/**
 * The fault classes of io.netpoll.testing.EchoFault applied to a sample server's protocol: what
 * reading must end in, and how much verified data must have arrived by then — exactly what the
 * server owes for the complete requests it received, or exactly the reply bytes let through, where
 * that is determined; at most that, where the fault may also cut the answer short.
 */
class ExchangeFault(
    val name: String,
    val toServer: Fault,
    val toClient: Fault,
    val deadlineMillis: Long,
    val read: Ending,
    private val expect: (Exchange) -> Pair<Long?, Long?> = { null to null },
    val writes: Set<Ending> = setOf(Ending.COMPLETE),
) {
    /** Verified units after one connection, and how it ended. */
    class Run(val read: Ending, val write: Ending, val verified: Long, val millis: Long)

    fun check(x: Exchange, r: Run) {
        val where = "${x.name}, $name: read ${r.read} after ${r.verified} of ${x.total}, write ${r.write}, ${r.millis} ms"
        if (!r.read.meets(read, r.write)) throw AssertionError("$where: reading must end $read")
        val (exactly, atMost) = expect(x)
        when {
            read == Ending.COMPLETE -> if (r.verified != x.total) throw AssertionError("$where: ${x.total} expected")
            exactly != null -> if (r.verified != exactly) throw AssertionError("$where: exactly $exactly expected")
            atMost != null -> if (r.verified > atMost) throw AssertionError("$where: at most $atMost expected")
        }
        if (r.write !in writes) throw AssertionError("$where: writing must end in one of $writes")
        if (read == Ending.DEADLINE && r.millis < deadlineMillis - 20) throw AssertionError("$where: deadline fired early")
        if (r.millis > deadlineMillis + SLACK_MILLIS) throw AssertionError("$where: past its deadline + ${SLACK_MILLIS} ms")
    }

    companion object {
        const val SLACK_MILLIS = 3_000L
        private const val DEADLINE = 10_000L
        private const val STALL_DEADLINE = 1_200L
        private const val STALL_RESUME = 2_000L
        private val none = Fault.none()
        private val completeOrDeadline = setOf(Ending.COMPLETE, Ending.DEADLINE)
        private val completeOrReset = setOf(Ending.COMPLETE, Ending.RESET)

        /** Every class, with its positions taken from [x] (the exchange each class is run with). */
        fun classes(x: Exchange): List<ExchangeFault> {
            val up = x.requestFaultAt
            val down = x.replyFaultAt
            val owed: (Exchange) -> Pair<Long?, Long?> = { it.owed(up) to null }
            val owedAtMost: (Exchange) -> Pair<Long?, Long?> = { null to it.owed(up) }
            val letThrough: (Exchange) -> Pair<Long?, Long?> = { e -> e.inReplyPrefix(down) to (e.inReplyPrefix(down) ?: e.total) }
            val letThroughAtMost: (Exchange) -> Pair<Long?, Long?> = { e -> null to (e.inReplyPrefix(down) ?: e.total) }
            return listOf(
                ExchangeFault("clean relay", none, none, DEADLINE, Ending.COMPLETE),
                ExchangeFault("delay 3 ms per chunk", none.delay(3), none.delay(3), DEADLINE, Ending.COMPLETE),
                ExchangeFault("throttle 2 MB/s", none.throttle(2_000_000), none.throttle(2_000_000), DEADLINE, Ending.COMPLETE),
                ExchangeFault("1-byte segments", none.fragment(1), none.fragment(1), DEADLINE, Ending.COMPLETE),
                ExchangeFault("stall towards the server, resumed", none.stallAt(up).resumeAfter(300), none, DEADLINE, Ending.COMPLETE),
                ExchangeFault(
                    "stall towards the server past the deadline", none.stallAt(up).resumeAfter(STALL_RESUME), none,
                    STALL_DEADLINE, Ending.DEADLINE, owed, completeOrDeadline,
                ),
                ExchangeFault(
                    "stall towards the client past the deadline", none, none.stallAt(down).resumeAfter(STALL_RESUME),
                    STALL_DEADLINE, Ending.DEADLINE, letThrough, completeOrDeadline,
                ),
                ExchangeFault("truncation towards the server", none.truncateAt(up), none, DEADLINE, Ending.EOF, owedAtMost),
                ExchangeFault("truncation towards the client", none, none.truncateAt(down), DEADLINE, Ending.EOF, letThrough),
                ExchangeFault("half-close towards the server", none.halfCloseAt(up), none, DEADLINE, Ending.EOF, owed),
                ExchangeFault("half-close towards the client", none, none.halfCloseAt(down), DEADLINE, Ending.EOF, letThrough),
                ExchangeFault("reset towards the server", none.resetAt(up), none, DEADLINE, Ending.RESET, owedAtMost, completeOrReset),
                ExchangeFault("reset towards the client", none, none.resetAt(down), DEADLINE, Ending.RESET, letThroughAtMost, completeOrReset),
            )
        }

        /**
         * One connection through [proxy] with [fault], checked, then the resources: the process's and
         * the Netpoll's descriptors and the server's connections back at their baseline.
         */
        suspend fun run(proxy: FaultProxy, fault: ExchangeFault, x: Exchange, serverConns: () -> Int): Run {
            check(proxy.awaitIdle(5_000)) { "connections left over before: $proxy" }
            val before = Resources.settle(Resources.now(serverConns), serverConns)
            proxy.faults(fault.toServer, fault.toClient)
            val c = Net.dial("tcp", "127.0.0.1:${proxy.port()}", timeout = 5.seconds)
            val t0 = System.nanoTime()
            val (read, write) = try {
                c.setDeadline(Instant.now().plusMillis(fault.deadlineMillis))
                x.run(c)
            } finally {
                c.close()
            }
            val run = Run(read, write, x.verified, (System.nanoTime() - t0) / 1_000_000)
            try {
                c.read(ByteBuffer.allocate(1))
                throw AssertionError("a read on a closed connection returned")
            } catch (e: ClosedChannelException) {
                if (e.javaClass != ClosedChannelException::class.java) throw AssertionError("$e after close", e)
            }
            fault.check(x, run)
            check(proxy.awaitIdle(10_000)) { "proxy connections still open after ${fault.name}: $proxy" }
            val after = Resources.settle(before, serverConns)
            if (after.fds > before.fds || after.netpoll > before.netpoll || after.serverConns > before.serverConns) {
                throw AssertionError("${x.name}, ${fault.name}: resources not back to their baseline: before $before, after $after")
            }
            println("${x.name} through the fault proxy, ${fault.name}: read ${run.read} after ${run.verified}/${x.total} verified, " +
                "write ${run.write}, ${run.millis} ms; before $before, after $after")
            return run
        }
    }
}
