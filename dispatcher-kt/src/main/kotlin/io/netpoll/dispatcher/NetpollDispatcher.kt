package io.netpoll.dispatcher

import io.netpoll.dispatcher.jfr.DispatcherEvents
import io.netpoll.dispatcher.jfr.SchedulerSnapshotEvent
import io.netpoll.poller.Netpoll
import kotlinx.coroutines.CancellableContinuation
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Delay
import kotlinx.coroutines.DisposableHandle
import kotlinx.coroutines.InternalCoroutinesApi
import kotlinx.coroutines.NonDisposableHandle
import java.io.Closeable
import java.io.PrintStream
import java.util.concurrent.TimeUnit
import java.util.concurrent.locks.LockSupport
import jdk.jfr.FlightRecorderListener
import kotlin.coroutines.CoroutineContext

/**
 * Go's G/P/M scheduler as a coroutine dispatcher whose idle workers drive the process-wide
 * [Netpoll] (see [Scheduler] for the design, [Worker] for the scheduling loop).
 *
 * - [parallelism] Ps run tasks at once (Go's GOMAXPROCS). Worker threads are daemons, started on
 *   demand: one per running P, one for the poller, plus one per active [blocking] section.
 * - It implements [Delay]: `delay`, `withTimeout` and socket deadlines all fire from the
 *   scheduler's own timer heaps and the poller timeout; there is no timer thread.
 * - While open it is attached as the Netpoll driver, so the poller's fallback driver thread is
 *   not needed and does not run.
 * - [close] stops every worker and the sysmon thread and waits for them; running tasks finish
 *   first. After close, a coroutine that is dispatched or schedules a delay here is cancelled
 *   with [DispatcherClosedException] and continues on [kotlinx.coroutines.Dispatchers.IO] so it
 *   can run its `finally` blocks; tasks still queued at close run there once; `invokeOnTimeout`
 *   actions that had not fired never fire.
 * - Exceptions escaping a coroutine reach its CoroutineExceptionHandler as usual; an exception
 *   escaping a plain [Runnable] goes to the worker thread's uncaught exception handler and the
 *   worker carries on.
 * - Observability: [stats] and [metrics] take snapshots of its counters; while open it records a
 *   JFR `io.netpoll.SchedulerSnapshot` event every second in any recording that enables it.
 *
 * @param schedtraceMillis print a [SchedStats.schedtraceLine] every this many milliseconds (0:
 *   off); defaults to `-Dnetpoll.schedtrace`.
 * @param traceOut where trace lines go (Go prints them to stderr).
 */
@OptIn(InternalCoroutinesApi::class)
class NetpollDispatcher(
    val parallelism: Int = Runtime.getRuntime().availableProcessors(),
    val name: String = "netpoll",
    schedtraceMillis: Long = java.lang.Long.getLong("netpoll.schedtrace", 0L),
    traceOut: PrintStream = System.err,
) : CoroutineDispatcher(), Delay, Closeable {
    internal val scheduler: Scheduler
    private val sysmon: Sysmon

    /** True for the shared [kotlinx.coroutines.Dispatchers.Netpoll], which cannot be closed. */
    internal var shared = false

    /** JFR's periodic hook for this dispatcher's [SchedulerSnapshotEvent]; JFR runs it only while recording it. */
    private val snapshotHook = Runnable { SchedulerSnapshotEvent.emit(name, stats(), scheduler.netpoll.stats()) }
    private val snapshotRegistration: FlightRecorderListener

    init {
        require(parallelism >= 1) { "parallelism must be at least 1, was $parallelism" }
        require(schedtraceMillis >= 0) { "schedtraceMillis must not be negative, was $schedtraceMillis" }
        scheduler = Scheduler(parallelism, name, Netpoll.get())
        sysmon = Sysmon(scheduler, ::stats, TimeUnit.MILLISECONDS.toNanos(schedtraceMillis), traceOut)
        scheduler.start()
        sysmon.thread.start()
        snapshotRegistration = DispatcherEvents.addSnapshotHook(snapshotHook)
    }

    val isClosed: Boolean
        get() = scheduler.closed

    override fun dispatch(context: CoroutineContext, block: Runnable) {
        // hot path: no allocation
        if (!scheduler.dispatch(block, false)) {
            AfterClose.dispatch(context, block)
        }
    }

    /**
     * `yield()`: to the tail of the local queue, not runnext, so everybody queued runs first, and
     * the worker polls the network and looks at the global queue before it runs its next task.
     */
    override fun dispatchYield(context: CoroutineContext, block: Runnable) {
        if (!scheduler.dispatchYield(block)) {
            AfterClose.dispatch(context, block)
        }
    }

    override fun scheduleResumeAfterDelay(timeMillis: Long, continuation: CancellableContinuation<Unit>) {
        if (scheduler.closed) {
            continuation.cancel(DispatcherClosedException())
            return
        }
        val t = ResumeTimer(scheduler, this, continuation)
        scheduler.addTimer(t, delayNanos(timeMillis))
        continuation.invokeOnCancellation(t)
    }

    override fun invokeOnTimeout(timeMillis: Long, block: Runnable, context: CoroutineContext): DisposableHandle {
        if (scheduler.closed) {
            AfterClose.dispatch(context, Runnable {})
            return NonDisposableHandle
        }
        val t = TimeoutTimer(scheduler, block)
        scheduler.addTimer(t, delayNanos(timeMillis))
        return t
    }

    /** A snapshot of the scheduler's state and counters. */
    fun stats(): SchedStats {
        val s = scheduler
        val (threads, idleThreads) = s.threadCounts().let { it[0] to it[1] }
        return SchedStats(
            parallelism = parallelism,
            idleProcs = s.npidle.get(),
            threads = threads,
            idleThreads = idleThreads,
            spinningThreads = s.nmspinning.get(),
            blockingSections = s.blockingSections.get(),
            globalQueue = s.global.size,
            localQueues = s.allp.map { it.runq.size() + if (it.runq.runnext.get() != null) 1 else 0 },
            timers = s.allp.sumOf { it.timers.size },
            steals = s.steals.get(),
            parks = s.parks.get(),
            pollWaits = s.pollWaits.get(),
            pollEvents = s.pollEvents.get(),
            longTaskWakeups = sysmon.longTaskWakeups.get(),
            tasksRun = s.allp.sumOf { it.tasksRun },
            blockingHandoffs = s.blockingHandoffs.get(),
        )
    }

    /**
     * This dispatcher's [stats] and the process-wide poller's ([Netpoll.stats]), taken one after
     * the other: what a metrics library reads (see the `netpoll-micrometer` module).
     */
    fun metrics(): DispatcherMetrics = DispatcherMetrics(name, stats(), scheduler.netpoll.stats())

    /** The worker and sysmon threads, for tests and diagnostics. */
    internal fun threads(): List<Thread> = scheduler.threads() + sysmon.thread

    /**
     * Stops all workers and the sysmon thread, waits for them (running tasks finish first), and
     * detaches from the Netpoll. Idempotent. See the class comment for what happens to work that
     * arrives afterwards.
     *
     * @throws UnsupportedOperationException on the shared `Dispatchers.Netpoll`
     */
    override fun close() {
        if (shared) {
            throw UnsupportedOperationException("Dispatchers.Netpoll is shared and cannot be closed")
        }
        DispatcherEvents.removeSnapshotHook(snapshotRegistration, snapshotHook)
        scheduler.close()
        sysmon.thread.let {
            LockSupport.unpark(it)
            if (it !== Thread.currentThread()) {
                it.join()
            }
        }
    }

    override fun toString(): String = name

    private companion object {
        /** Longer delays are clamped so `now + delay` cannot overflow (about 73 years). */
        val MAX_DELAY_NANOS = Long.MAX_VALUE / 4

        fun delayNanos(timeMillis: Long): Long =
            if (timeMillis <= 0) 0L
            else if (timeMillis >= MAX_DELAY_NANOS / 1_000_000) MAX_DELAY_NANOS
            else TimeUnit.MILLISECONDS.toNanos(timeMillis)
    }
}
