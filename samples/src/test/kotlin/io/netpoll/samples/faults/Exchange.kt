package io.netpoll.samples.faults

import io.netpoll.net.BufReader
import io.netpoll.net.BufWriter
import io.netpoll.net.Conn
import io.netpoll.testing.Conversation
import io.netpoll.testing.Ending
import io.netpoll.testing.FaultProxy
import io.netpoll.testing.FaultRun
import io.netpoll.testing.Outcome
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import java.nio.ByteBuffer

/**
 * A [Conversation] with a sample server as our own client has it: the whole request stream
 * (pipelined, fixed in advance), written through a [BufWriter], and a reader that checks every
 * reply as it arrives through a [BufReader]. Progress ([verified]) is counted in the protocol's own
 * unit: reply bytes for RESP, echoed body bytes for HTTP.
 */
abstract class Exchange(val name: String) : Conversation {
    abstract val request: ByteArray

    override val requestBytes: Long get() = request.size.toLong()

    /** Units verified so far on this exchange's connection. */
    @Volatile
    var verified = 0L
        protected set

    /** Reads and checks replies until all arrived ([total]); an [AssertionError] at the first wrong byte. */
    protected abstract suspend fun readReplies(br: BufReader)

    /** One connection of this exchange through [proxy], checked by [io.netpoll.testing.FaultRun]. */
    suspend fun connection(proxy: FaultProxy, deadlineMillis: Long): Outcome =
        FaultRun.connection(proxy, deadlineMillis, "BufWriter/BufReader", ::verified) { run(it) }

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
