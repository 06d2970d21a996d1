package io.netpoll.dispatcher

import io.netpoll.poller.TimerHeap

/**
 * One P's timer heap (Go's p.timers): the same 4-ary [TimerHeap] that holds the poller's socket
 * deadlines, guarded by this object's monitor because a timer may be added or cancelled from any
 * thread while the owner or a thief drains it.
 *
 * [nextWhen] mirrors the earliest `when` (Go's timer0When) so schedulers can skip the lock when
 * nothing is due; [NONE] means empty. Due timers are taken out under the lock and fired after it
 * is released, so firing never runs under a timer lock.
 */
internal class TimerQueue {
    private val heap = TimerHeap()

    @Volatile
    var nextWhen = NONE
        private set

    val size: Int
        get() = synchronized(this) { heap.size() }

    /** Arms [t]; true if it became the earliest timer here (the poller may need to re-plan). */
    fun add(t: SchedTimer, whenNanos: Long): Boolean = synchronized(this) {
        t.queue = this
        heap.reset(t, whenNanos)
        val earliest = heap.peek() === t
        nextWhen = heap.peek()!!.`when`()
        earliest
    }

    /** Disarms [t] if it is still armed here (Go's deltimer); a fired timer is left alone. */
    fun remove(t: SchedTimer) {
        synchronized(this) {
            if (heap.remove(t)) {
                nextWhen = heap.peek()?.`when`() ?: NONE
            }
        }
    }

    /** Takes the earliest timer if it is due at [nowNanos]. */
    fun pollDue(nowNanos: Long): SchedTimer? {
        if (nextWhen == NONE || nextWhen - nowNanos > 0) {
            return null
        }
        synchronized(this) {
            val t = heap.pollDue(nowNanos) as SchedTimer?
            nextWhen = heap.peek()?.`when`() ?: NONE
            return t
        }
    }

    /** Close only: hands every armed timer to [sink]. */
    fun drainTo(sink: (SchedTimer) -> Unit) {
        while (true) {
            val t = synchronized(this) {
                val first = heap.peek() as SchedTimer? ?: return
                heap.remove(first)
                nextWhen = heap.peek()?.`when`() ?: NONE
                first
            }
            sink(t)
        }
    }

    companion object {
        const val NONE = Long.MAX_VALUE
    }
}
