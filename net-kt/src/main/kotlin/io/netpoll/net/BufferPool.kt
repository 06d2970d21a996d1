package io.netpoll.net

import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.util.concurrent.atomic.AtomicLong
import java.util.concurrent.atomic.AtomicReferenceArray

/**
 * A bounded pool of direct [ByteBuffer]s of one size (Go's sync.Pool Get/Put for a buffer size,
 * with a fixed bound instead of GC-driven eviction), so that a server holds a buffer only while a
 * connection has something to read: wait with [Conn.awaitReadable], [get] a buffer, read with
 * [Conn.tryRead] until it returns 0, [put] the buffer back. Ten thousand idle connections then
 * hold no buffer at all instead of ten thousand.
 *
 * It lives in net-kt, public, rather than in each server because that is where a user of
 * awaitReadable looks for it (Netty users get pooled buffers from the framework too) and because
 * it is easy to get subtly wrong in ways this class settles once: coroutines move between threads,
 * so a buffer is often put back on another thread than the one that took it; the bound must hold
 * however many threads there are (virtual threads included), so nothing may be cached per thread;
 * and get/put sit on every request's path, so they must not allocate or lock.
 *
 * Protocol: [capacity] slots, each empty (null) or holding one idle buffer.
 * - [get] scans the slots from the calling thread's home slot and takes the first buffer it can
 *   move out with one CAS (buffer → null). If every slot is empty it allocates a new buffer.
 * - [put] scans from the home slot and parks the buffer in the first slot it can fill with one
 *   CAS (null → buffer). If every slot is full it drops the buffer; the GC frees its memory.
 * Each step is one CAS on one reference whose value is all that matters, so there is no ABA and no
 * lock; a buffer is in at most one slot because only its holder puts it. Idle memory is bounded
 * by `capacity × bufferBytes`; buffers out on loan belong to whoever holds them.
 *
 * Home slots: threads hash to lanes of [LANE_SLOTS] slots (64 bytes of references), so threads
 * on different cores mostly touch different cache lines, and a thread's put usually refills the
 * slot its own get just emptied. A buffer put back on another thread simply lands in that thread's
 * lane. Cost of get or put: a thread-id hash, a read or two and one CAS, unless the pool is empty
 * (get) or full (put), when it scans every slot before allocating or dropping.
 *
 * The caller must put a buffer back at most once and not touch it afterwards (the pool cannot tell
 * a second put of the same buffer from two buffers). A buffer from [get] is cleared and big-endian;
 * its contents are whatever the last user left.
 */
class BufferPool @JvmOverloads constructor(
    /** The capacity of every buffer, in bytes. */
    val bufferBytes: Int,
    /** How many idle buffers the pool keeps at most; default a lane of 16 per available core. */
    val capacity: Int = LANE_SLOTS * Runtime.getRuntime().availableProcessors(),
) {
    private val slots: AtomicReferenceArray<ByteBuffer?>
    private val lanes: Int
    private val allocatedCount = AtomicLong()
    private val droppedCount = AtomicLong()

    init {
        require(bufferBytes > 0) { "bufferBytes must be positive, not $bufferBytes" }
        require(capacity > 0) { "capacity must be positive, not $capacity" }
        slots = AtomicReferenceArray(capacity)
        lanes = maxOf(1, capacity / LANE_SLOTS)
    }

    /** Buffers this pool has allocated so far (each [get] that found the pool empty). */
    val allocated: Long
        get() = allocatedCount.get()

    /** Buffers [put] has dropped so far because the pool was full. */
    val dropped: Long
        get() = droppedCount.get()

    /** Idle buffers in the pool now (a snapshot that scans every slot; for stats and tests). */
    fun available(): Int {
        var n = 0
        for (i in 0 until capacity) {
            if (slots.get(i) != null) n++
        }
        return n
    }

    /** A cleared direct buffer of [bufferBytes]: an idle one if there is any, else a new one. */
    fun get(): ByteBuffer {
        // hot path: no allocation unless the pool is empty
        var i = home()
        for (k in 0 until capacity) {
            val b = slots.get(i)
            if (b != null && slots.compareAndSet(i, b, null)) {
                b.clear().order(ByteOrder.BIG_ENDIAN)
                return b
            }
            if (++i == capacity) i = 0
        }
        allocatedCount.incrementAndGet()
        return ByteBuffer.allocateDirect(bufferBytes)
    }

    /**
     * Gives [buffer] back for reuse (or drops it if the pool is full). It must be a writable direct
     * buffer of [bufferBytes]: anything else is an [IllegalArgumentException], so a buffer of another
     * size can never be handed out by [get].
     */
    fun put(buffer: ByteBuffer) {
        // hot path: no allocation
        require(buffer.isDirect && !buffer.isReadOnly && buffer.capacity() == bufferBytes) {
            "not a buffer of this pool: $buffer (wants a writable direct buffer of $bufferBytes bytes)"
        }
        var i = home()
        for (k in 0 until capacity) {
            if (slots.get(i) == null && slots.compareAndSet(i, null, buffer)) {
                return
            }
            if (++i == capacity) i = 0
        }
        droppedCount.incrementAndGet()
    }

    /** The first slot of the calling thread's lane. */
    private fun home(): Int {
        if (lanes == 1) return 0
        val mixed = (Thread.currentThread().id * GOLDEN_GAMMA ushr 33).toInt()
        return mixed % lanes * LANE_SLOTS
    }

    override fun toString(): String =
        "BufferPool[$bufferBytes B × $capacity, ${available()} idle, $allocated allocated, $dropped dropped]"

    private companion object {
        /** Slots per lane: 16 compressed references, one 64-byte cache line. */
        private const val LANE_SLOTS = 16
        /** 2^64 / φ: spreads consecutive thread ids over the lanes (Fibonacci hashing). */
        private const val GOLDEN_GAMMA = -0x61c8864680b583ebL
    }
}
