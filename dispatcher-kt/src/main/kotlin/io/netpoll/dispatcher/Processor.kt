package io.netpoll.dispatcher

/**
 * A P (Go's p): the right to run tasks, with its own run queue and timer heap. Exactly one worker
 * holds a running P; an idle P sits in the scheduler's idle list with an empty run queue (its
 * timers may still be armed: whoever polls the network sleeps no longer than the earliest one).
 *
 * [schedtick] counts tasks that started a new time slice; sysmon compares it between its ticks
 * to spot a P whose queue sits behind one long task (Go's sysmontick).
 */
internal class Processor(val id: Int, global: GlobalRunQueue) {
    val runq = LocalRunQueue(global)
    val timers = TimerQueue()

    /** True while in the idle list; written under the scheduler lock. */
    @Volatile
    var idle = false

    /** Written only by the holder; read racily (a stale value only delays sysmon by one tick). */
    var schedtick = 0

    /** Tasks this P has run; written only by the holder, read racily by [NetpollDispatcher.stats]. */
    var tasksRun = 0L

    // Sysmon's private view of this P (Go's p.sysmontick).
    var sysmonTick = 0
    var sysmonWhenNanos = 0L
}
