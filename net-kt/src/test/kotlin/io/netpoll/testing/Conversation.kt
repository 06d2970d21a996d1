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
    }
}
