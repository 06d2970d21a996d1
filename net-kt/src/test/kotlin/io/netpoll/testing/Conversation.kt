package io.netpoll.testing

/**
 * What a client sends through a [FaultProxy] and what the server owes it back, counted in the unit
 * the client verifies (echoed bytes, reply bytes, body bytes): the measure in which [FaultClass]
 * states how much must have arrived when a fault ends the connection.
 */
interface Conversation {
    /** Bytes the client sends. */
    val requestBytes: Long

    /** Units verified once every reply has arrived. */
    val total: Long

    /** Units owed for the complete requests within the first [n] request bytes. */
    fun owed(n: Long): Long

    /** Units in the first [n] bytes of the reply stream, where that stream is known byte for byte; else null. */
    fun inReplyPrefix(n: Long): Long?

    /** Where a fault towards the client strikes: about a third into the reply stream. */
    val replyFaultAt: Long

    /** Where a fault towards the server strikes: a third into the request stream, mid-request, mid-chunk. */
    val requestFaultAt: Long get() = requestBytes / 3 + 13

    companion object {
        /** [bytes] echoed: each byte is owed back once it has reached the server. */
        fun echo(bytes: Int): Conversation = object : Conversation {
            override val requestBytes = bytes.toLong()
            override val total = bytes.toLong()
            override fun owed(n: Long) = minOf(n, total)
            override fun inReplyPrefix(n: Long) = minOf(n, total)
            override val replyFaultAt = bytes / 3L + 13
            override fun toString() = "echo of $bytes bytes"
        }

        /**
         * An echo over TLS as the proxy sees it: positions are ciphertext bytes, amounts are
         * plaintext bytes. Towards the server the client's handshake flight ([clientFlight] bytes,
         * ClientHello to Finished) comes first, towards the client the server's ([serverFlight],
         * ServerHello to its session ticket); then the [records] the client seals (plaintext
         * sizes, in order), which the server echoes record for record, each [overhead] bytes
         * longer on the wire (header, content type, tag and whatever padding the TLS
         * implementation adds). A record's plaintext is delivered only once all of it has
         * arrived, so a fault at byte `n` lets through exactly the records that end within `n`.
         * The faults strike at [requestFaultAt] and [replyFaultAt].
         */
        fun tlsEcho(
            records: List<Int>,
            overhead: Int,
            clientFlight: Long,
            serverFlight: Long,
            requestFaultAt: Long,
            replyFaultAt: Long,
        ): Conversation = object : Conversation {
            /** Where each record ends, counted from the end of the flight before it. */
            private val ends = records.runningFold(0L) { end, p -> end + p + overhead }.drop(1)
            override val requestBytes = clientFlight + (ends.lastOrNull() ?: 0L)
            override val total = records.sumOf { it.toLong() }
            override fun owed(n: Long) = through(n - clientFlight)
            override fun inReplyPrefix(n: Long) = through(n - serverFlight)
            override val requestFaultAt = requestFaultAt
            override val replyFaultAt = replyFaultAt

            /** Plaintext of the records that end within the first [n] bytes after the flight. */
            private fun through(n: Long): Long {
                val whole = ends.count { it <= n }
                return records.take(whole).sumOf { it.toLong() }
            }

            override fun toString() =
                "TLS echo of $total bytes in ${records.size} records (+$overhead bytes each) after flights of $clientFlight and $serverFlight bytes"
        }
    }
}
