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
 * The tick starts at [MIN_INTERVAL_NANOS] and doubles while every P is idle, up to
 * [MAX_INTERVAL_NANOS] (Go backs off the same way), so an idle dispatcher costs ~100 wakeups/s.
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
            if (s.npidle.get() == s.parallelism) {
                if (++idleTicks > IDLE_TICKS_BEFORE_BACKOFF) {
                    interval = minOf(interval * 2, MAX_INTERVAL_NANOS)
                }
            } else {
                idleTicks = 0
                interval = MIN_INTERVAL_NANOS
            }
            pollIfStarved(now)
            wakeForLongTasks(now)
            val next = s.earliestTimer()
            if (next != TimerQueue.NONE && next - now < 0) {
                s.wakep()
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

    private fun wakeForLongTasks(now: Long) {
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
            }
        }
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
