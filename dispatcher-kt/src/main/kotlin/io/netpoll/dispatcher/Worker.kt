package io.netpoll.dispatcher

import io.netpoll.poller.ReadyList
import java.util.concurrent.TimeUnit
import java.util.concurrent.locks.LockSupport

/**
 * A worker thread (Go's m) and its scheduling loop (Go's schedule / findRunnable).
 *
 * A worker runs tasks only while it holds a P ([p]). It gets one from [Scheduler.startm] through
 * [nextp], or takes an idle one after polling the network or leaving a blocking section. Only the
 * holder appends to its P's run queue and reads [inheritTime]/[inheritedRuns].
 *
 * Time slices. Go's runnext task inherits the running task's time slice, and sysmon preempts a
 * slice after 10 ms, so a ping-pong pair cannot starve the queue. Coroutines cannot be
 * preempted, so here a slice is counted in tasks: after [RUNNEXT_SLICE_TASKS] runnext tasks in a
 * row the runnext task goes to the tail and the queue head runs.
 */
internal class Worker(val scheduler: Scheduler, id: Int, firstP: Processor, firstSpinning: Boolean) :
    Thread("${scheduler.name}-worker-$id") {

    /** The held P; only this thread reads or writes it. */
    var p: Processor? = null

    /** A P handed over by [Scheduler.startm]; written before the unpark that wakes this worker. */
    @Volatile
    var nextp: Processor? = firstP

    /** Looking for work to steal; counted in [Scheduler.nmspinning]. */
    @Volatile
    var spinning = firstSpinning

    /** The P given up by the current blocking section (Go's m.oldp). */
    var oldp: Processor? = null

    /** The waiters this worker's last poll made runnable, until it injects them ([injectReady]). */
    private val ready = ReadyList()

    /**
     * The running task called `yield()` ([Scheduler.dispatchYield]). Its next schedule polls the
     * network and takes from the global queue before the local one: a coroutine that yields
     * because it has had its turn (net-kt's cooperative budget) may have kept this P busy for a
     * while, and what became ready meanwhile is waiting in the kernel or, polled by sysmon, in the
     * global queue — both out of reach of a worker whose local queue never runs dry. (Go puts a
     * goroutine that calls Gosched, or is preempted, on the global queue for the same reason.)
     * Only this thread reads or writes it.
     */
    var yielded = false

    private var inheritTime = false
    private var inheritedRuns = 0

    init {
        isDaemon = true
    }

    override fun run() {
        try {
            if (!takeNextp()) {
                return
            }
            while (true) {
                if (p == null && !stopm()) {
                    return
                }
                val task = findRunnable() ?: return
                if (spinning) {
                    resetSpinning()
                }
                val pp = p!!
                if (!inheritTime) {
                    pp.schedtick++
                }
                pp.tasksRun++
                execute(task)
            }
        } finally {
            if (spinning) {
                spinning = false
                scheduler.nmspinning.decrementAndGet()
            }
            scheduler.workerExited(this)
        }
    }

    private fun execute(task: Runnable) {
        try {
            task.run()
        } catch (e: Throwable) {
            uncaughtExceptionHandler.uncaughtException(this, e)
        }
    }

    /**
     * Go's findRunnable: own timers → (after a yield: netpoll(0)) → every 61st tick, and after a
     * yield, the global queue → runnext/local → global batch → netpoll(0) → steal (4 passes,
     * random start, timers and runnext on the last) → give up the P, re-check, then either block
     * in the poller until the next timer or park. Returns null only when the scheduler closes.
     */
    private fun findRunnable(): Runnable? {
        val s = scheduler
        while (true) {
            if (s.closed) {
                return null
            }
            val pp = p!!
            inheritTime = false
            runTimers(pp.timers)
            val afterYield = yielded
            if (afterYield) {
                yielded = false
                pollNetworkNow()
            }
            if ((afterYield || pp.schedtick % GLOBAL_QUEUE_TICK == 0) && s.global.size > 0) {
                s.netpoll.runDeadlines(System.nanoTime())
                val task = synchronized(s.lock) { s.global.getBatchLocked(pp.runq, s.parallelism, 1) }
                if (task != null) {
                    return task
                }
            }
            runqget(pp)?.let { return it }
            if (s.global.size > 0) {
                val task = synchronized(s.lock) { s.global.getBatchLocked(pp.runq, s.parallelism, 0) }
                if (task != null) {
                    return task
                }
            }
            pollNetworkNow()
            runqget(pp)?.let { return it }
            if (spinning || 2 * s.nmspinning.get() < s.parallelism - s.npidle.get()) {
                if (!spinning) {
                    becomeSpinning()
                }
                stealWork(pp)?.let { return it }
                napForWork(pp)?.let { return it }
            }

            // Give up the P, unless the global queue has work (checked under the same lock).
            var task: Runnable? = null
            synchronized(s.lock) {
                task = s.global.getBatchLocked(pp.runq, s.parallelism, 0)
                if (task == null) {
                    p = null
                    s.pidleputLocked(pp)
                }
            }
            task?.let { return it }

            if (spinning) {
                spinning = false
                s.nmspinning.decrementAndGet()
                if (recheckAfterSpinning()) {
                    continue
                }
            }
            if (s.pollWanted() && s.lastpoll.getAndSet(0) != 0L) {
                pollNetwork(s.earliestTimer())
                s.lastpoll.set(Scheduler.nanoTimeNonZero())
                // Go's findRunnable after netpoll: take an idle P and inject what the poll made
                // ready onto it (one runs here, the rest queue and wake one more worker); with no
                // P free they go to the global queue for the running Ps.
                val again = synchronized(s.lock) { s.pidlegetLocked() }
                p = again
                injectReady()
                if (again != null) {
                    if (s.global.size > 1) {
                        s.wakep()
                    }
                    continue
                }
                if (s.global.size > 0) {
                    s.wakep()
                    s.napper.get()?.let(LockSupport::unpark)
                }
            } else {
                val earliest = s.earliestTimer()
                if (earliest != TimerQueue.NONE) {
                    val until = s.pollUntil
                    if (until == 0L || until - earliest > 0) {
                        s.breakPoller()
                    }
                }
            }
            if (!stopm()) {
                return null
            }
        }
    }

    /** runnext first (inheriting the slice, at most [RUNNEXT_SLICE_TASKS] in a row), then the head. */
    private fun runqget(pp: Processor): Runnable? {
        // hot path: no allocation
        val q = pp.runq
        if (inheritedRuns < RUNNEXT_SLICE_TASKS) {
            val next = q.takeRunnext()
            if (next != null) {
                inheritTime = true
                inheritedRuns++
                return next
            }
        } else {
            q.takeRunnext()?.let { q.put(it, false) }
        }
        inheritedRuns = 0
        return q.poll()
    }

    /** Go's stealWork: several passes over the Ps from a random start. */
    private fun stealWork(pp: Processor): Runnable? {
        val s = scheduler
        val n = s.parallelism
        for (pass in 0 until STEAL_TRIES) {
            val lastPass = pass == STEAL_TRIES - 1
            val start = s.randomP()
            for (i in 0 until n) {
                if (s.closed) {
                    return null
                }
                val victim = s.allp[(start + i) % n]
                if (victim === pp) {
                    continue
                }
                if (lastPass && victim.timers.nextWhen != TimerQueue.NONE) {
                    runTimers(victim.timers)
                    pp.runq.poll()?.let { return it }
                }
                if (!victim.idle) {
                    val task = pp.runq.stealFrom(victim.runq, lastPass)
                    if (task != null) {
                        s.steals.incrementAndGet()
                        return task
                    }
                }
            }
        }
        return null
    }

    /**
     * A spinner that found nothing naps a few times (timed parks, 10 µs doubling) while another P
     * is running, polling the network and looking again after each nap, before it gives up its P.
     * It still counts as spinning, so a worker dispatching to its own queue meanwhile pays nothing
     * to wake it (see [Scheduler.wakep]); work from outside the pool unparks it at once
     * ([Scheduler.napper]).
     * A producer such as a fan-out loop queues in bursts that a thief drains in moments: parking
     * after each burst would cost the producer a wake-up (lock and futex, several µs on its own
     * critical path) per burst. Go gets a similar effect from the short sleep in runqgrab before it
     * takes a running P's runnext. One napper at a time; never with a single P.
     */
    private fun napForWork(pp: Processor): Runnable? {
        val s = scheduler
        if (!s.napper.compareAndSet(null, this)) {
            return null
        }
        try {
            for (round in 0 until NAP_ROUNDS) {
                if (s.closed || s.parallelism - s.npidle.get() < 2 || s.global.size > 0) {
                    return null
                }
                LockSupport.parkNanos(this, NAP_NANOS shl round)
                pollNetworkNow()
                runqget(pp)?.let { return it }
                stealWork(pp)?.let { return it }
            }
            return null
        } finally {
            s.napper.set(null)
        }
    }

    /**
     * Go's netpoll(0) step of findRunnable: fires due socket deadlines and, if somebody waits
     * and no worker blocks in the poller, collects ready waiters and injects them onto this P.
     */
    private fun pollNetworkNow() {
        val s = scheduler
        s.netpoll.runDeadlines(System.nanoTime())
        if (s.netpoll.waiters() > 0 && s.lastpoll.get() != 0L) {
            countEvents(s.netpoll.poll(0, ready))
            injectReady()
        }
    }

    /**
     * Go's injectglist: wakes what the last poll made ready. Each wake dispatches its coroutine
     * (or completes its future, unparks its thread) from this worker: onto its P when it holds
     * one (the first fills runnext, each further one queues and may wake a worker, see
     * [Scheduler.dispatch]), otherwise to the global queue, waking a worker for it.
     */
    private fun injectReady() {
        if (ready.size() > 0) {
            ready.wakeAll()
        }
    }

    /** Fires every due timer of [timers]; each becomes a task on this worker's P (Go's checkTimers). */
    private fun runTimers(timers: TimerQueue) {
        if (timers.nextWhen == TimerQueue.NONE) {
            return
        }
        val now = System.nanoTime()
        while (true) {
            val t = timers.pollDue(now) ?: return
            t.fire(now)
        }
    }

    /**
     * After the last spinner stops, work submitted meanwhile may have seen it spinning and not
     * woken anybody: look once more at the global queue and every busy P's queue, and take an
     * idle P back to go after it. True if this worker holds a P again.
     */
    private fun recheckAfterSpinning(): Boolean {
        val s = scheduler
        var task: Runnable? = null
        val pp = synchronized(s.lock) {
            if (s.global.size == 0) {
                null
            } else {
                s.pidlegetLocked()?.also { task = s.global.getBatchLocked(it.runq, s.parallelism, 0) }
            }
        }
        if (pp != null) {
            p = pp
            task?.let { pp.runq.put(it, true) }
            becomeSpinning()
            return true
        }
        for (other in s.allp) {
            if (!other.idle && !other.runq.isEmpty()) {
                val taken = synchronized(s.lock) { s.pidlegetLocked() } ?: return false
                p = taken
                becomeSpinning()
                return true
            }
        }
        return false
    }

    /**
     * The poller role: block in the Netpoll until [earliestTimer]. If another thread (another
     * dispatcher, another driver) already blocks in the kernel, it will dispatch our ready waiters
     * for us; park instead, waking at least every [POLL_RETRY_NANOS] in case it stops polling.
     */
    private fun pollNetwork(earliestTimer: Long) {
        val s = scheduler
        val timeout = if (earliestTimer == TimerQueue.NONE) -1L else maxOf(earliestTimer - System.nanoTime(), 0L)
        s.pollUntil = if (earliestTimer == TimerQueue.NONE) 0L else earliestTimer
        s.pollerWorker = this
        try {
            when {
                timeout == 0L -> pollWithoutWaking(0)
                s.netpoll.isPollerBlocked() ->
                    LockSupport.parkNanos(this, if (timeout < 0) POLL_RETRY_NANOS else minOf(timeout, POLL_RETRY_NANOS))
                else -> {
                    s.pollWaits.incrementAndGet()
                    pollWithoutWaking(timeout)
                }
            }
        } finally {
            s.pollerWorker = null
            s.pollUntil = 0L
        }
    }

    /** Polls; what becomes ready is handed back in [ready] for this worker to inject. */
    private fun pollWithoutWaking(timeoutNanos: Long) {
        countEvents(scheduler.netpoll.poll(timeoutNanos, ready))
    }

    private fun countEvents(n: Int) {
        if (n > 0) {
            scheduler.pollEvents.addAndGet(n.toLong())
        }
    }

    /** Go's stopm: park without a P until [Scheduler.startm] hands one over. False if closed. */
    private fun stopm(): Boolean {
        if (!scheduler.midlePut(this)) {
            return false
        }
        return takeNextp()
    }

    private fun takeNextp(): Boolean {
        while (true) {
            val next = nextp
            if (next != null) {
                nextp = null
                p = next
                return true
            }
            if (scheduler.closed) {
                return false
            }
            LockSupport.park(this)
        }
    }

    private fun becomeSpinning() {
        spinning = true
        scheduler.nmspinning.incrementAndGet()
    }

    /** Go's resetspinning: a spinner found work, so wake another to keep looking. */
    private fun resetSpinning() {
        spinning = false
        scheduler.nmspinning.decrementAndGet()
        scheduler.wakep()
    }

    companion object {
        /** Go's schedule: every 61st tick the global queue goes first. */
        const val GLOBAL_QUEUE_TICK = 61

        /** Go's stealWork: stealTries. */
        const val STEAL_TRIES = 4

        /** [napForWork]: naps before a spinner gives up its P, the first one this long. */
        const val NAP_ROUNDS = 3
        val NAP_NANOS = TimeUnit.MICROSECONDS.toNanos(10)

        /** Runnext tasks that may run in a row before the queue head gets its turn. */
        const val RUNNEXT_SLICE_TASKS = 32

        val POLL_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10)
    }
}
