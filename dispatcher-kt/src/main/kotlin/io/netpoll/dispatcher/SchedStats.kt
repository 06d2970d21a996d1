package io.netpoll.dispatcher

/**
 * A snapshot of a [NetpollDispatcher] (read racily, field by field, like Go's schedtrace: each
 * number was true at some moment during the snapshot, not necessarily all at the same one).
 *
 * @property parallelism Ps (Go's gomaxprocs)
 * @property idleProcs Ps in the idle list
 * @property threads worker threads started and not exited
 * @property idleThreads workers parked without a P
 * @property spinningThreads workers looking for work to steal
 * @property blockingSections workers currently inside [blocking]
 * @property globalQueue tasks in the global run queue
 * @property localQueues tasks per P, runnext included
 * @property timers armed timers over all Ps
 * @property steals successful steals (each takes up to half a queue)
 * @property parks times a worker parked without a P
 * @property pollWaits times a worker blocked in the Netpoll
 * @property pollEvents readiness events this dispatcher's threads handled
 * @property longTaskWakeups times sysmon woke a worker for a P whose queue sat behind a long task
 *   (coroutines cannot be preempted: this stands in for Go's sysmon retake)
 * @property tasksRun tasks run on all Ps (a plain counter per P, written by its holder)
 * @property blockingHandoffs times a worker handed its P off on entering a [blocking] section
 */
data class SchedStats(
    val parallelism: Int,
    val idleProcs: Int,
    val threads: Int,
    val idleThreads: Int,
    val spinningThreads: Int,
    val blockingSections: Int,
    val globalQueue: Int,
    val localQueues: List<Int>,
    val timers: Int,
    val steals: Long,
    val parks: Long,
    val pollWaits: Long,
    val pollEvents: Long,
    val longTaskWakeups: Long,
    val tasksRun: Long,
    val blockingHandoffs: Long,
) {
    /**
     * The line `-Dnetpoll.schedtrace=MS` prints: Go's `GODEBUG=schedtrace` fields in Go's order,
     * then this dispatcher's extra counters.
     */
    fun schedtraceLine(elapsedMillis: Long): String =
        "SCHED ${elapsedMillis}ms: gomaxprocs=$parallelism idleprocs=$idleProcs threads=$threads " +
            "spinningthreads=$spinningThreads idlethreads=$idleThreads runqueue=$globalQueue " +
            "[${localQueues.joinToString(" ")}] blocking=$blockingSections timers=$timers steals=$steals " +
            "parks=$parks pollwaits=$pollWaits pollevents=$pollEvents longtaskwakeups=$longTaskWakeups"
}
