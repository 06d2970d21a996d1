package io.netpoll.dispatcher

import java.io.PrintStream
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicLong
import java.util.concurrent.locks.LockSupport

/**
 * The monitor thread (Go's sysmon). It never holds a P and never runs tasks. Each tick it:
 * - polls the network without blocking if somebody waits and nobody has polled for
 *   [POLL_STARVED_NANOS] (every worker busy with long tasks), and fires due socket deadlines;
 *   what becomes ready goes to the global queue;
 * - wakes a worker (wakep) for a P whose queue is non-empty while its schedtick has not moved for
 *   [LONG_TASK_NANOS]: one long task is holding it up, and an idle P can steal the rest
 *   (coroutines cannot be preempted, so this replaces Go's retake/preemptone);
 * - wakes a worker when a timer is overdue (all workers busy elsewhere);
 * - prints a `SCHED` line every [traceIntervalNanos] if tracing is on.
 *
 * Blocking sections hand their P off on entry ([Scheduler.enterBlocking]), so there is no P in a
 * syscall state for sysmon to retake.
 *
 * The tick starts at [MIN_INTERVAL_NANOS] and, after [IDLE_TICKS_BEFORE_BACKOFF] ticks that woke
 * nobody for a long task, doubles up to [MAX_INTERVAL_NANOS] (Go's sysmon backs off on the same
 * rule), so an idle or steadily loaded dispatcher costs ~100 sysmon wakeups/s; a long task brings
 * the short tick back.
 */
internal class Sysmon(
    private val s: Scheduler,
    private val stats: () -> SchedStats,
    private val traceIntervalNanos: Long,
    private val traceOut: PrintStream,
) : Runnable {
    val thread = Thread(this, "${s.name}-sysmon").apply { isDaemon = true }
    val longTaskWakeups = AtomicLong()
    private val startNanos = System.nanoTime()
    private var lastTraceNanos = startNanos

    override fun run() {
        var interval = MIN_INTERVAL_NANOS
        var idleTicks = 0
        while (!s.closed) {
            LockSupport.parkNanos(this, if (traceIntervalNanos > 0) minOf(interval, traceIntervalNanos) else interval)
            if (s.closed) {
                return
            }
            val now = System.nanoTime()
            pollIfStarved(now)
            val retook = wakeForLongTasks(now)
            val next = s.earliestTimer()
            if (next != TimerQueue.NONE && next - now < 0) {
                s.wakep()
            }
            // Go's sysmon backs off while its retake finds nothing, busy Ps or not: under steady
            // load it then ticks every 10 ms, not every 1 ms on the cores the workers run on.
            if (retook) {
                idleTicks = 0
                interval = MIN_INTERVAL_NANOS
            } else if (++idleTicks > IDLE_TICKS_BEFORE_BACKOFF) {
                interval = minOf(interval * 2, MAX_INTERVAL_NANOS)
            }
            if (traceIntervalNanos > 0 && now - lastTraceNanos >= traceIntervalNanos) {
                lastTraceNanos = now
                traceOut.println(stats().schedtraceLine(TimeUnit.NANOSECONDS.toMillis(now - startNanos)))
            }
        }
    }

    private fun pollIfStarved(now: Long) {
        val last = s.lastpoll.get()
        if (last != 0L && now - last > POLL_STARVED_NANOS && s.netpoll.waiters() > 0 &&
            s.lastpoll.compareAndSet(last, now)
        ) {
            val n = s.netpoll.poll(0)
            if (n > 0) {
                s.pollEvents.addAndGet(n.toLong())
            }
        }
        s.netpoll.runDeadlines(now)
    }

    /** True if it woke a worker for a P held up by a long task. */
    private fun wakeForLongTasks(now: Long): Boolean {
        var woke = false
        for (pp in s.allp) {
            if (pp.idle) {
                continue
            }
            val tick = pp.schedtick
            if (tick != pp.sysmonTick) {
                pp.sysmonTick = tick
                pp.sysmonWhenNanos = now
            } else if (now - pp.sysmonWhenNanos >= LONG_TASK_NANOS && !pp.runq.isEmpty()) {
                pp.sysmonWhenNanos = now
                longTaskWakeups.incrementAndGet()
                s.wakep()
                woke = true
            }
        }
        return woke
    }

    companion object {
        val MIN_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(1)
        val MAX_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(10)
        const val IDLE_TICKS_BEFORE_BACKOFF = 50

        /** Go's sysmon polls the network if it was not polled for more than 10 ms. */
        val POLL_STARVED_NANOS = TimeUnit.MILLISECONDS.toNanos(10)

        /** Go's forcePreemptNS: a time slice. */
        val LONG_TASK_NANOS = TimeUnit.MILLISECONDS.toNanos(10)
    }
}
