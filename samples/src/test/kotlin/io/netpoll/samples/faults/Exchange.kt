package io.netpoll.samples.faults

import io.netpoll.net.BufReader
import io.netpoll.net.BufWriter
import io.netpoll.net.Conn
import io.netpoll.testing.Ending
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import java.nio.ByteBuffer

/**
 * A request/reply conversation with a sample server, as our own client has it: the whole request
 * stream (pipelined, fixed in advance) and a reader that checks every reply as it arrives.
 *
 * Progress is counted in the protocol's own unit of verified data ([verified]): reply bytes for
 * RESP, echoed body bytes for HTTP. [owed] says how much a server must answer for the complete
 * requests within a prefix of the request stream, which is what a fault towards the server at
 * that byte leaves it.
 */
abstract class Exchange(val name: String) {
    abstract val request: ByteArray

    /** Units verified once every reply has arrived. */
    abstract val total: Long

    /** Units owed for the complete requests in the first [n] bytes of [request]. */
    abstract fun owed(n: Long): Long

    /** Units in the first [n] bytes of the reply stream, where that stream is known byte for byte. */
    abstract fun inReplyPrefix(n: Long): Long?

    /** Where a fault towards the client strikes: a third into the reply stream. */
    abstract val replyFaultAt: Long

    /** Where a fault towards the server strikes: a third into the request stream, mid-request. */
    val requestFaultAt: Long get() = request.size / 3L + 13

    /** Units verified so far on this exchange's connection. */
    @Volatile
    var verified = 0L
        protected set

    /** Reads and checks replies until all arrived ([total]); an [AssertionError] at the first wrong byte. */
    protected abstract suspend fun readReplies(br: BufReader)

    /** Writes [request] through a [BufWriter] while reading the replies: (read ending, write ending). */
    suspend fun run(c: Conn): Pair<Ending, Ending> = coroutineScope {
        val w = async {
            Ending.of {
                val bw = BufWriter(c)
                var off = 0
                while (off < request.size) {
                    val len = minOf(1000, request.size - off)
                    bw.write(ByteBuffer.wrap(request, off, len))
                    off += len
                }
                bw.flush()
            }
        }
        val r = Ending.of { readReplies(BufReader(c)) }
        r to w.await()
    }
}
