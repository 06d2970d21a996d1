package io.netpoll.dispatcher

/**
 * The global run queue (Go's sched.runq): tasks dispatched from outside the pool, overflow of
 * full local queues, and tasks made ready by a thread without a P (the poller, sysmon, timers
 * fired from a foreign thread).
 *
 * Guarded by [lock], the scheduler lock that also guards the idle P and idle worker lists, so a
 * worker can check "global queue empty" and "put my P idle" atomically (Go's sched.lock). A
 * growable ring: after warm-up no operation allocates. [size] is readable without the lock as a
 * hint (Go reads sched.runqsize racily the same way).
 */
internal class GlobalRunQueue(val lock: Any) {
    private var ring = arrayOfNulls<Runnable>(INITIAL_CAPACITY)
    private var head = 0

    @Volatile
    var size = 0
        private set

    fun put(task: Runnable) {
        synchronized(lock) { putLocked(task) }
    }

    fun putBatch(tasks: Array<Runnable?>, n: Int) {
        synchronized(lock) {
            for (i in 0 until n) {
                putLocked(tasks[i]!!)
            }
        }
    }

    fun putLocked(task: Runnable) {
        // hot path: no allocation once the ring has grown
        if (size == ring.size) {
            grow()
        }
        ring[(head + size) and (ring.size - 1)] = task
        size++
    }

    fun pollLocked(): Runnable? {
        if (size == 0) {
            return null
        }
        val task = ring[head]
        ring[head] = null
        head = (head + 1) and (ring.size - 1)
        size--
        return task
    }

    /**
     * Go's globrunqget: returns one task and moves a fair share of the rest (at most [max], at
     * most half a local queue) into [local], whose owner is the caller. Lock held.
     */
    fun getBatchLocked(local: LocalRunQueue, parallelism: Int, max: Int): Runnable? {
        if (size == 0) {
            return null
        }
        var n = minOf(size, size / parallelism + 1, LocalRunQueue.SIZE / 2)
        if (max in 1 until n) {
            n = max
        }
        val first = pollLocked()
        for (i in 1 until n) {
            local.put(pollLocked()!!, false)
        }
        return first
    }

    private fun grow() {
        val bigger = arrayOfNulls<Runnable>(ring.size * 2)
        for (i in 0 until size) {
            bigger[i] = ring[(head + i) and (ring.size - 1)]
        }
        ring = bigger
        head = 0
    }

    private companion object {
        const val INITIAL_CAPACITY = 1024
    }
}
