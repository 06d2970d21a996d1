package io.netpoll.testing

/**
 * The fault classes every client and server is driven through, and what each must end in.
 *
 * The contract, per connection: the data that arrives is exactly the first data owed, in order
 * (the client's own check: [SeededStream] or a protocol's replies); then either all of it arrived
 * ([Ending.COMPLETE]) or reading ended the way the fault dictates, by exact exception type; and
 * within the deadline plus [SLACK_MILLIS]. How much must have arrived ([Expect]) is stated in the
 * [Conversation]'s units: a fault towards the client at byte `b` lets exactly the first `b` reply
 * bytes through; a stall or half-close towards the server at `b` leaves exactly what the server
 * owes for the complete requests within `b`; a truncation or reset towards the server may also cut
 * that answer short, so at most that.
 */
class FaultClass(
    val name: String,
    /** How reading must end. */
    val read: Ending,
    private val expect: Expect,
    /** How writing may end. */
    val writes: Set<Ending> = setOf(Ending.COMPLETE),
    /** The proxy writes once per byte or few: drivers use a shorter conversation. */
    val perByte: Boolean = false,
    val deadlineMillis: Long = DEADLINE,
    /** Endings reading may have instead of [read] where a race between the peers decides (the class says which). */
    val orRead: Set<Ending> = emptySet(),
    /** The faults (to server, to client) for request position `up` and reply position `down`. */
    private val plan: (up: Long, down: Long) -> Pair<Fault, Fault>,
) {
    enum class Expect { ALL, OWED, OWED_AT_MOST, LET_THROUGH, LET_THROUGH_AT_MOST, NOTHING }

    fun faults(c: Conversation): Pair<Fault, Fault> = plan(c.requestFaultAt, c.replyFaultAt)

    /**
     * This class with reading ending [read] (or one of [orRead]) instead: how another transport
     * names the same end (TLS: a truncation where a plain connection reads end of stream).
     */
    fun readEnding(read: Ending, orRead: Set<Ending> = emptySet()) =
        FaultClass(name, read, expect, writes, perByte, deadlineMillis, orRead, plan)

    override fun toString() = name

    /** An [AssertionError] unless [o] is what this class allows on [c]. */
    fun check(c: Conversation, o: Outcome) {
        val where = "$name via ${o.api}: read ${o.read} after ${o.verified} of ${c.total}, write ${o.write}, ${o.millis} ms" +
            if (o.established) "" else ", set-up failed"
        val reads = setOf(read) + orRead
        if (reads.none { o.read.meets(it, o.write) }) throw AssertionError("$where: reading must end ${reads.joinToString(" or ")}")
        // A failed set-up (the dial, a TLS handshake) is one failure that reading and writing both waited on.
        if (!o.established && reads.none { o.write.meets(it, o.read) }) {
            throw AssertionError("$where: the set-up failed, so writing must end ${reads.joinToString(" or ")} too")
        }
        val letThrough = c.inReplyPrefix(c.replyFaultAt)
        val (exactly, atMost) = when (expect) {
            Expect.ALL -> c.total to null
            Expect.OWED -> c.owed(c.requestFaultAt) to null
            Expect.OWED_AT_MOST -> null to c.owed(c.requestFaultAt)
            Expect.LET_THROUGH -> letThrough to c.total
            Expect.LET_THROUGH_AT_MOST -> null to (letThrough ?: c.total)
            Expect.NOTHING -> 0L to null
        }
        if (exactly != null && o.verified != exactly) throw AssertionError("$where: exactly $exactly expected")
        if (atMost != null && o.verified > atMost) throw AssertionError("$where: at most $atMost expected")
        if (o.established && o.write !in writes) throw AssertionError("$where: writing must end in one of $writes")
        if (read == Ending.DEADLINE && o.millis < deadlineMillis - 20) throw AssertionError("$where: the deadline fired early")
        if (o.millis > deadlineMillis + SLACK_MILLIS) {
            throw AssertionError("$where: past its deadline of $deadlineMillis ms + $SLACK_MILLIS ms slack")
        }
    }

    companion object {
        /** What a loaded 2-core machine may add to a deadline. */
        const val SLACK_MILLIS = 3_000L
        const val DEADLINE = 10_000L
        const val STALL_DEADLINE = 1_200L

        /** Long enough after [STALL_DEADLINE] that the client has given up; then the proxy lets the rest (and its close) through. */
        private const val STALL_RESUME = 2_000L
        private val none = Fault.none()
        private val orDeadline = setOf(Ending.COMPLETE, Ending.DEADLINE)
        private val orReset = setOf(Ending.COMPLETE, Ending.RESET)

        val all: List<FaultClass> = listOf(
            FaultClass("clean relay", Ending.COMPLETE, Expect.ALL) { _, _ -> none to none },
            FaultClass("delay 3 ms per chunk", Ending.COMPLETE, Expect.ALL) { _, _ -> none.delay(3) to none.delay(3) },
            FaultClass("throttle 2 MB/s", Ending.COMPLETE, Expect.ALL) { _, _ ->
                none.throttle(2_000_000) to none.throttle(2_000_000)
            },
            FaultClass("1-byte segments", Ending.COMPLETE, Expect.ALL, perByte = true) { _, _ -> none.fragment(1) to none.fragment(1) },
            FaultClass("7- and 3-byte segments", Ending.COMPLETE, Expect.ALL, perByte = true) { _, _ ->
                none.fragment(7) to none.fragment(3)
            },
            FaultClass("stall towards the server, resumed", Ending.COMPLETE, Expect.ALL) { up, _ ->
                none.stallAt(up).resumeAfter(300) to none
            },
            FaultClass(
                "stall towards the server past the deadline", Ending.DEADLINE, Expect.OWED, orDeadline,
                deadlineMillis = STALL_DEADLINE,
            ) { up, _ -> none.stallAt(up).resumeAfter(STALL_RESUME) to none },
            FaultClass(
                "stall towards the client past the deadline", Ending.DEADLINE, Expect.LET_THROUGH, orDeadline,
                deadlineMillis = STALL_DEADLINE,
            ) { _, down -> none to none.stallAt(down).resumeAfter(STALL_RESUME) },
            FaultClass("truncation towards the server", Ending.EOF, Expect.OWED_AT_MOST) { up, _ -> none.truncateAt(up) to none },
            FaultClass("truncation towards the client", Ending.EOF, Expect.LET_THROUGH) { _, down -> none to none.truncateAt(down) },
            FaultClass("half-close towards the server", Ending.EOF, Expect.OWED) { up, _ -> none.halfCloseAt(up) to none },
            FaultClass("half-close towards the client", Ending.EOF, Expect.LET_THROUGH) { _, down -> none to none.halfCloseAt(down) },
            FaultClass("reset towards the server", Ending.RESET, Expect.OWED_AT_MOST, orReset) { up, _ -> none.resetAt(up) to none },
            FaultClass("reset towards the client", Ending.RESET, Expect.LET_THROUGH_AT_MOST, orReset) { _, down ->
                none to none.resetAt(down)
            },
            FaultClass("reset at the first byte", Ending.RESET, Expect.NOTHING, orReset) { _, _ -> none.resetAt(0) to none },
        )
    }
}
