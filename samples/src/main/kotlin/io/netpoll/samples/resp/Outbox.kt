package io.netpoll.samples.resp

import kotlinx.coroutines.channels.Channel
import java.nio.ByteBuffer

/**
 * A subscriber's output once it has subscribed: replies and published messages, in the order the
 * service produced them, written by the connection's drain in large batches.
 *
 * Two buffers, swapped: producers encode into [filling] (under the service's monitor, and this
 * object's lock against the drain); the drain takes everything queued in one swap, writes it with
 * one write and hands the buffer back empty. A message costs one copy into [filling] and no
 * allocation once the buffers have grown to the traffic; a batch of any number of messages costs
 * one write call.
 *
 * Bounded like Redis's client-output-buffer-limit for pubsub: when the bytes queued and not yet
 * written (both buffers) pass [limitBytes], the outbox closes, drops what it holds and runs
 * [overflow] (the connection is dropped). [close] is the orderly end: what is queued is still
 * written, then [next] returns null.
 */
class Outbox(private val limitBytes: Long, private val overflow: () -> Unit) {
    @PublishedApi
    internal var filling = RespWriter(INITIAL_BYTES, direct = true)
    private var draining = RespWriter(INITIAL_BYTES, direct = true)
    /** Bytes of the batch the drain is writing (all of it counts until the drain comes back). */
    private var inFlight = 0
    private var closed = false

    /** Set when [filling] turns non-empty or the outbox closes: the drain has work. */
    private val ready = Channel<Unit>(Channel.CONFLATED)

    /** Appends one reply or message; false if the outbox is closed, or has just overflowed. */
    inline fun append(block: RespWriter.() -> Unit): Boolean {
        synchronized(this) {
            if (isClosed()) return false
            val before = filling.size
            filling.block()
            return appended(before)
        }
    }

    @PublishedApi
    internal fun isClosed() = closed

    @PublishedApi
    internal fun appended(before: Int): Boolean {
        if (filling.size.toLong() + inFlight > limitBytes) {
            closed = true
            filling.clear()
            ready.trySend(Unit)
            overflow()
            return false
        }
        if (before == 0) ready.trySend(Unit)
        return true
    }

    /** Orderly end: no more appends; the drain writes what is queued and then stops. */
    fun close() {
        synchronized(this) {
            closed = true
        }
        ready.trySend(Unit)
    }

    /**
     * The drain's side: waits for queued bytes and returns all of them as one buffer to write
     * (valid until the next call), or null once the outbox is closed and empty. The previous
     * batch counts against the limit until this is called again.
     */
    suspend fun next(): ByteBuffer? {
        while (true) {
            synchronized(this) {
                draining.clear()
                inFlight = 0
                // A buffer grown by a burst is not kept for good.
                if (draining.buffer.capacity() > KEEP_BYTES) draining = RespWriter(INITIAL_BYTES, direct = true)
                if (filling.size > 0) {
                    val batch = filling
                    filling = draining
                    draining = batch
                    inFlight = batch.size
                    return batch.buffer.flip()
                }
                if (closed) return null
            }
            ready.receive()
        }
    }

    private companion object {
        const val INITIAL_BYTES = 16 * 1024
        const val KEEP_BYTES = 1 shl 20
    }
}
