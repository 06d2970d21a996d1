package io.netpoll.dispatcher.jfr

import io.netpoll.dispatcher.SchedStats
import io.netpoll.poller.NetpollStats
import jdk.jfr.Category
import jdk.jfr.Description
import jdk.jfr.Event
import jdk.jfr.Label
import jdk.jfr.Name
import jdk.jfr.Period
import jdk.jfr.StackTrace

/**
 * The schedtrace data of one dispatcher ([SchedStats], with the poller's state from
 * [NetpollStats]) as a periodic event: every second by default, one per open dispatcher. Each
 * dispatcher registers its hook with JFR when it is made and removes it when it is closed.
 */
@Name("io.netpoll.SchedulerSnapshot")
@Category("netpoll")
@Label("Scheduler Snapshot")
@Description("A dispatcher's Ps, queues, workers and counters, and the poller's state (Go's schedtrace)")
@StackTrace(false)
@Period("1 s")
class SchedulerSnapshotEvent : Event() {
    @field:Label("Dispatcher") @JvmField var dispatcher: String? = null
    @field:Label("Ps") @field:Description("Processors (Go's GOMAXPROCS)") @JvmField var parallelism: Int = 0
    @field:Label("Idle Ps") @JvmField var idleProcs: Int = 0
    @field:Label("Threads") @field:Description("Worker threads started and not exited") @JvmField var threads: Int = 0
    @field:Label("Idle Threads") @field:Description("Workers parked without a P") @JvmField var idleThreads: Int = 0
    @field:Label("Spinning Threads") @field:Description("Workers looking for work to steal") @JvmField var spinningThreads: Int = 0
    @field:Label("Blocking Sections") @field:Description("Workers inside a blocking section now") @JvmField var blockingSections: Int = 0
    @field:Label("Global Queue") @field:Description("Tasks in the global run queue") @JvmField var globalQueue: Int = 0
    @field:Label("Local Queues") @field:Description("Tasks queued per P, runnext included, as [p0 p1 ...]") @JvmField var localQueues: String? = null
    @field:Label("Local Queued") @field:Description("Tasks queued on all Ps") @JvmField var localQueued: Int = 0
    @field:Label("Timers") @field:Description("Armed timers over all Ps") @JvmField var timers: Int = 0
    @field:Label("Tasks Run") @JvmField var tasksRun: Long = 0
    @field:Label("Steals") @JvmField var steals: Long = 0
    @field:Label("Worker Parks") @JvmField var parks: Long = 0
    @field:Label("Poll Waits") @field:Description("Times a worker blocked in the poller") @JvmField var pollWaits: Long = 0
    @field:Label("Poll Events") @field:Description("Readiness events this dispatcher's threads handled") @JvmField var pollEvents: Long = 0
    @field:Label("Long Task Wakeups") @field:Description("Times sysmon woke a worker for a P held up by a long task") @JvmField var longTaskWakeups: Long = 0
    @field:Label("Blocking Handoffs") @field:Description("Ps handed off by blocking sections") @JvmField var blockingHandoffs: Long = 0
    @field:Label("Poller Blocked") @field:Description("Whether a thread is blocked in the poller") @JvmField var pollerBlocked: Boolean = false
    @field:Label("Waiters") @field:Description("I/O operations parked on a descriptor (all dispatchers)") @JvmField var waiters: Int = 0
    @field:Label("Deadlines Armed") @field:Description("Armed socket deadline timers (all dispatchers)") @JvmField var deadlines: Int = 0
    @field:Label("Descriptors") @field:Description("Descriptors registered with the poller (all dispatchers)") @JvmField var descriptors: Int = 0

    companion object {
        /** Records [s] and [np] for [dispatcher], if the event is on; called by JFR's periodic task. */
        internal fun emit(dispatcher: String, s: SchedStats, np: NetpollStats) {
            val e = SchedulerSnapshotEvent()
            if (!e.shouldCommit()) {
                return
            }
            e.dispatcher = dispatcher
            e.parallelism = s.parallelism
            e.idleProcs = s.idleProcs
            e.threads = s.threads
            e.idleThreads = s.idleThreads
            e.spinningThreads = s.spinningThreads
            e.blockingSections = s.blockingSections
            e.globalQueue = s.globalQueue
            e.localQueues = s.localQueues.joinToString(" ", "[", "]")
            e.localQueued = s.localQueues.sum()
            e.timers = s.timers
            e.tasksRun = s.tasksRun
            e.steals = s.steals
            e.parks = s.parks
            e.pollWaits = s.pollWaits
            e.pollEvents = s.pollEvents
            e.longTaskWakeups = s.longTaskWakeups
            e.blockingHandoffs = s.blockingHandoffs
            e.pollerBlocked = np.pollerBlocked
            e.waiters = np.waiters
            e.deadlines = np.deadlines
            e.descriptors = np.descriptors
            e.commit()
        }
    }
}
