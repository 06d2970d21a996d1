package io.netpoll.dispatcher

import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.atomic.AtomicReference
import java.util.concurrent.atomic.AtomicReferenceArray

/**
 * A P's local run queue (Go's p.runq, runqhead, runqtail and runnext).
 *
 * Protocol:
 * - Only the owning worker (the thread holding the P) appends: it writes a slot, then publishes
 *   it by a release store of [tail] (Go's atomic.StoreRel; no full fence on the put path). Slots
 *   in `[head, tail)` never change while they are there.
 * - Anybody may consume: read [head], read the slots, then claim them by CAS on [head]. A failed
 *   CAS means somebody else consumed first; the values read are discarded and the read retried.
 *   `head` and `tail` only grow (Int wrap-around is harmless: sizes are differences), so a stale
 *   `head` can never be mistaken for a current one.
 * - [runnext] holds the task to run next; the owner swaps it, thieves may CAS it away on their
 *   last pass (Go's stealRunNextG).
 * - A full queue moves half of itself plus the new task to the global queue in one batch
 *   (Go's runqputslow), so the owner never blocks and never drops a task.
 *
 * Slots are not cleared after consumption: a consumer cannot know whether the owner has already
 * reused the slot, so at most [SIZE] finished tasks stay reachable per P until overwritten.
 */
internal class LocalRunQueue(private val global: GlobalRunQueue) {
    private val slots = AtomicReferenceArray<Runnable?>(SIZE)
    private val head = AtomicInteger()
    private val tail = AtomicInteger()
    val runnext = AtomicReference<Runnable?>()

    /** Owner-only scratch for [putSlow]: half a queue plus the new task. */
    private val batch = arrayOfNulls<Runnable>(SIZE / 2 + 1)

    /** Queued tasks, runnext excluded; racy but never negative. */
    fun size(): Int = (tail.get() - head.get()).coerceIn(0, SIZE)

    fun isEmpty(): Boolean = tail.get() == head.get() && runnext.get() == null

    /**
     * Owner only (Go's runqput): with [next] the task becomes runnext and the previous runnext
     * moves to the tail; otherwise the task goes to the tail. Returns false if nothing reached the
     * tail (the task took an empty runnext), i.e. there is nothing new for a thief to steal.
     */
    fun put(task: Runnable, next: Boolean): Boolean {
        // hot path: no allocation
        var t0 = task
        if (next) {
            t0 = runnext.getAndSet(task) ?: return false
        }
        while (true) {
            val h = head.get()
            val t = tail.get()
            if (t - h < SIZE) {
                slots.lazySet(t and MASK, t0)
                tail.lazySet(t + 1)
                return true
            }
            if (putSlow(t0, h, t)) {
                return true
            }
        }
    }

    /** Go's runqputslow: moves half of a full queue and [task] to the global queue. */
    private fun putSlow(task: Runnable, h: Int, t: Int): Boolean {
        val n = (t - h) / 2
        for (i in 0 until n) {
            batch[i] = slots.get((h + i) and MASK)
        }
        if (!head.compareAndSet(h, h + n)) {
            return false
        }
        batch[n] = task
        global.putBatch(batch, n + 1)
        batch.fill(null, 0, n + 1)
        return true
    }

    /** Owner only: takes runnext (Go's runqget, first half). */
    fun takeRunnext(): Runnable? {
        val next = runnext.get() ?: return null
        return if (runnext.compareAndSet(next, null)) next else null
    }

    /** Owner only: takes the head of the queue, runnext not included (Go's runqget, second half). */
    fun poll(): Runnable? {
        // hot path: no allocation
        while (true) {
            val h = head.get()
            if (h == tail.get()) {
                return null
            }
            val task = slots.get(h and MASK)
            if (head.compareAndSet(h, h + 1)) {
                return task
            }
        }
    }

    /**
     * Steals half of [victim]'s queue into this (empty, owned) queue and returns one of the
     * stolen tasks to run at once (Go's runqsteal). With [stealRunNext] an otherwise empty victim
     * gives up its runnext.
     */
    fun stealFrom(victim: LocalRunQueue, stealRunNext: Boolean): Runnable? {
        val t = tail.get()
        val n = victim.grabInto(slots, t, stealRunNext)
        if (n == 0) {
            return null
        }
        val last = slots.get((t + n - 1) and MASK)
        if (n > 1) {
            tail.lazySet(t + n - 1)
        }
        return last
    }

    /**
     * Go's runqgrab: claims half of this queue, copying it into [dst] starting at [dstTail]. The
     * destination slots are beyond the thief's own tail, so nobody reads them until it publishes.
     */
    private fun grabInto(dst: AtomicReferenceArray<Runnable?>, dstTail: Int, stealRunNext: Boolean): Int {
        while (true) {
            val h = head.get()
            val t = tail.get()
            val queued = t - h
            val n = queued - queued / 2
            if (n == 0) {
                if (stealRunNext) {
                    val next = runnext.get()
                    if (next != null && runnext.compareAndSet(next, null)) {
                        dst.lazySet(dstTail and MASK, next)
                        return 1
                    }
                }
                return 0
            }
            if (n > SIZE / 2) {
                continue // head and tail were read at different moments; read again
            }
            for (i in 0 until n) {
                dst.lazySet((dstTail + i) and MASK, slots.get((h + i) and MASK))
            }
            if (head.compareAndSet(h, h + n)) {
                return n
            }
        }
    }

    /** Close only, after every worker stopped: hands every task to [sink]. */
    fun drainTo(sink: (Runnable) -> Unit) {
        takeRunnext()?.let(sink)
        while (true) {
            sink(poll() ?: return)
        }
    }

    companion object {
        /** Go's len(p.runq). */
        const val SIZE = 256
        private const val MASK = SIZE - 1
    }
}
