package io.netpoll.dispatcher

import io.netpoll.poller.Netpoll
import java.util.concurrent.ThreadLocalRandom
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.atomic.AtomicLong
import java.util.concurrent.atomic.AtomicReference
import java.util.concurrent.locks.LockSupport

/**
 * The scheduler core (Go's schedt): Ps, the global queue, the idle lists, and the wake-up rules.
 *
 * Design, in Go's terms. A task (G) runs on a worker thread (M) that holds a processor (P);
 * [parallelism] is GOMAXPROCS. A worker loops: find a task ([Worker.findRunnable]), run it.
 *
 * - Queues. A worker dispatching from inside the pool puts the task in its own P's runnext (the
 *   old runnext goes to the local tail); everybody else uses the [global] queue. Full local queues
 *   spill half to the global queue.
 * - Spinning. A worker without local work that is looking for work to steal is "spinning"
 *   ([nmspinning]). New work wakes a parked worker only if nobody spins ([wakep]): the spinner
 *   will find it, and when a spinner finds work it wakes the next one. A worker that stops
 *   spinning re-checks every queue after decrementing [nmspinning]; the submitter re-checks
 *   [nmspinning] after publishing its task. With sequentially consistent atomics on both sides
 *   one of them sees the other, so a task can never sit in a queue while every worker parks. (A
 *   worker's own queue is published with a release store, like Go's runqput: a wake-up missed
 *   there costs only parallelism, since the owner runs its queue next.) A spinner that finds
 *   nothing naps briefly before giving up its P while another P runs ([napper]), so a producer
 *   queueing in bursts does not pay a wake-up for each burst.
 * - Idle Ps and parked workers. [lock] guards [global], the idle P list and the idle worker list,
 *   so "global queue empty, so my P goes idle" is one atomic step. A parked worker is only ever
 *   woken by [startm], which hands it a P ([Worker.nextp]) before unparking it.
 * - The poller. Exactly one idle worker blocks in [Netpoll.poll] until the earliest timer of any
 *   P ([lastpoll] is 0 meanwhile, [pollUntil] says until when); the others park. It does so only
 *   while somebody waits on a descriptor or a timer or socket deadline is armed ([pollWanted]);
 *   otherwise it parks too, and the Netpoll wakes a worker when a waiter parks or a deadline is
 *   armed (the rule the Netpoll's fallback driver follows), so edges nobody waits for wake nobody. The poll hands
 *   the waiters it made ready back to that worker ([io.netpoll.poller.ReadyList], Go's gList)
 *   instead of waking them; the worker takes an idle P and wakes them onto it, so one runs there
 *   and the rest queue, waking one more worker only if there are several (Go's findRunnable after
 *   netpoll, and injectglist). So a lone ready connection costs no thread handoff. A new timer earlier than [pollUntil] breaks the poll
 *   ([wakeNetPoller]). While this scheduler exists it is attached as the Netpoll driver, so the
 *   fallback driver thread never runs for it.
 * - Blocking sections hand their P to another worker at once ([handoffp], Go's
 *   entersyscallblock) and take any idle P back after ([exitBlocking], Go's exitsyscall).
 */
internal class Scheduler(val parallelism: Int, val name: String, val netpoll: Netpoll) {
    val lock = Any()
    val global = GlobalRunQueue(lock)
    val allp = Array(parallelism) { Processor(it, global) }

    // Guarded by lock.
    private val pidle = arrayOfNulls<Processor>(parallelism)
    private var pidleCount = 0
    private val midle = ArrayList<Worker>()
    private val allm = ArrayList<Worker>()

    val npidle = AtomicInteger()
    val nmspinning = AtomicInteger()

    /** When the network was last polled; 0 while a worker blocks in the poller (Go's sched.lastpoll). */
    val lastpoll = AtomicLong(nanoTimeNonZero())

    /** When the blocked poller will wake by itself; 0 if not blocked or no timeout (Go's sched.pollUntil). */
    @Volatile
    var pollUntil = 0L

    /** The worker that holds the poller role, so a timer can unpark it when it waits in park. */
    @Volatile
    var pollerWorker: Worker? = null

    @Volatile
    var closed = false
        private set

    /** The spinner napping in [Worker] napForWork, if any; work from outside unparks it. */
    val napper = AtomicReference<Worker?>()

    val steals = AtomicLong()
    val parks = AtomicLong()
    val pollWaits = AtomicLong()
    val pollEvents = AtomicLong()
    val blockingSections = AtomicInteger()
    val blockingHandoffs = AtomicLong()
    private val timerTicket = AtomicInteger()
    private val workerIds = AtomicInteger()

    init {
        synchronized(lock) {
            for (i in parallelism - 1 downTo 0) {
                pidleputLocked(allp[i])
            }
        }
    }

    /** How the Netpoll reaches this scheduler once polling is needed again ([pollWanted]). */
    private val netpollDriver = object : Netpoll.Driver() {
        override fun pollNeeded() = wakep()
    }

    /**
     * Whether an idle worker should block in the poller rather than park: only while a timer of
     * this scheduler is armed or, for the Netpoll, somebody waits or a deadline is armed (Go's
     * findRunnable: netpollAnyWaiters or pollUntil). When not, the Netpoll wakes a worker through
     * [netpollDriver] as soon as a waiter parks or a deadline is armed, from any thread.
     */
    fun pollWanted(): Boolean = earliestTimer() != TimerQueue.NONE || !netpoll.stopPolling(netpollDriver)

    /** Starts the first worker; it finds nothing to do, and polls or parks ([pollWanted]). */
    fun start() {
        netpoll.attachDriver(netpollDriver)
        startm(synchronized(lock) { pidlegetLocked() }!!, false)
    }

    // ---- making tasks runnable ---------------------------------------------------------------------

    /**
     * Go's ready/runqput + wakep: from a worker holding a P the task goes to that P (runnext
     * unless [yield]), otherwise to the global queue. False if the scheduler is closed.
     *
     * Unlike Go, a task that only fills an empty runnext wakes nobody: this worker runs it as soon
     * as the current task returns, and thieves may not take runnext before their last pass anyway,
     * so the wakeup would only buy a spin and a park (tokio's LIFO slot makes the same choice). If
     * the current task runs long, sysmon sees the stuck queue and wakes a thief.
     */
    fun dispatch(task: Runnable, yield: Boolean): Boolean {
        // hot path: no allocation
        if (closed) {
            return false
        }
        val w = Thread.currentThread() as? Worker
        val pp = if (w != null && w.scheduler === this) w.p else null
        if (pp == null) {
            global.put(task)
            wakep()
            napper.get()?.let(LockSupport::unpark)
        } else if (pp.runq.put(task, !yield)) {
            wakep()
        }
        if (closed) {
            drainAfterClose()
        }
        return true
    }

    /**
     * `yield()`: the tail of the caller's P (not runnext, so everybody queued runs first), and
     * that worker's next schedule looks at the network and the global queue first
     * ([Worker.yielded]). From outside the pool, the global queue.
     */
    fun dispatchYield(task: Runnable): Boolean {
        val w = Thread.currentThread() as? Worker
        if (w != null && w.scheduler === this && w.p != null) {
            w.yielded = true
        }
        return dispatch(task, true)
    }

    /** A due timer becomes a task at the tail of the draining worker's P, in due order. */
    fun readyTimer(t: SchedTimer) {
        if (!dispatch(t, true)) {
            t.abandon()
        }
    }

    /**
     * Arms [t] on the caller's P (any P for a foreign thread) and makes sure somebody wakes for
     * it (Go's addtimer + wakeNetPoller).
     */
    fun addTimer(t: SchedTimer, delayNanos: Long) {
        val w = Thread.currentThread() as? Worker
        val pp = (if (w != null && w.scheduler === this) w.p else null)
            ?: allp[(timerTicket.getAndIncrement() and Int.MAX_VALUE) % parallelism]
        val whenNanos = System.nanoTime() + delayNanos
        if (pp.timers.add(t, whenNanos)) {
            wakeNetPoller(whenNanos)
        }
        if (closed) {
            t.cancel()
            t.abandon()
        }
    }

    /** Go's wakeNetPoller: break the poller if it sleeps past [whenNanos], else wake a worker. */
    fun wakeNetPoller(whenNanos: Long) {
        if (lastpoll.get() == 0L) {
            val until = pollUntil
            if (until == 0L || until - whenNanos > 0) {
                breakPoller()
            }
        } else {
            wakep()
        }
    }

    /** Go's netpollBreak, plus an unpark for a poller that waits in park (see [Worker.pollNetwork]). */
    fun breakPoller() {
        netpoll.wakeup()
        pollerWorker?.let(LockSupport::unpark)
    }

    // ---- waking workers ----------------------------------------------------------------------------

    /** Go's wakep: start one spinning worker if there is an idle P and nobody is spinning. */
    fun wakep() {
        // hot path: no allocation
        if (npidle.get() == 0 || nmspinning.get() != 0 || !nmspinning.compareAndSet(0, 1)) {
            return
        }
        val pp = synchronized(lock) { pidlegetLocked() }
        if (pp == null) {
            nmspinning.decrementAndGet()
            return
        }
        startm(pp, true)
    }

    /** Go's startm: hands [pp] to a parked worker, or to a new one. */
    fun startm(pp: Processor, spinning: Boolean) {
        val m: Worker?
        synchronized(lock) {
            if (closed) {
                return
            }
            m = midle.removeLastOrNull()
            if (m == null) {
                val fresh = Worker(this, workerIds.getAndIncrement(), pp, spinning)
                allm.add(fresh)
                fresh.start()
                return
            }
        }
        m!!.spinning = spinning
        m.nextp = pp
        LockSupport.unpark(m)
    }

    /** Go's stopm, first half: the worker, without a P, joins the idle list. False if closed. */
    fun midlePut(m: Worker): Boolean = synchronized(lock) {
        if (closed) {
            return false
        }
        midle.add(m)
        parks.incrementAndGet()
        true
    }

    /**
     * Go's handoffp: a P released by a blocking section goes to a worker if there is anything for
     * it to do (queued tasks, nobody spinning, nobody polling), otherwise to the idle list.
     */
    fun handoffp(pp: Processor) {
        if (!pp.runq.isEmpty() || global.size > 0) {
            startm(pp, false)
            return
        }
        if (nmspinning.get() + npidle.get() == 0 && nmspinning.compareAndSet(0, 1)) {
            startm(pp, true)
            return
        }
        val keep = synchronized(lock) {
            val needed = global.size > 0 || (npidle.get() == parallelism - 1 && lastpoll.get() != 0L)
            if (!needed) {
                pidleputLocked(pp)
            }
            needed
        }
        if (keep) {
            startm(pp, false)
            return
        }
        val next = pp.timers.nextWhen
        if (next != TimerQueue.NONE) {
            wakeNetPoller(next)
        }
    }

    // ---- blocking sections -------------------------------------------------------------------------

    /** Go's entersyscallblock: the worker gives up its P for the duration of a blocking call. */
    fun enterBlocking(w: Worker) {
        val pp = w.p!!
        w.p = null
        w.oldp = pp
        blockingSections.incrementAndGet()
        blockingHandoffs.incrementAndGet()
        handoffp(pp)
    }

    /** Go's exitsyscall fast path: reacquire the old P if idle, else any idle P. False if none. */
    fun exitBlocking(w: Worker): Boolean {
        blockingSections.decrementAndGet()
        val old = w.oldp
        w.oldp = null
        val pp = synchronized(lock) {
            if (closed) null else if (old != null && old.idle) pidlegetLocked(old) else pidlegetLocked()
        }
        w.p = pp
        return pp != null
    }

    // ---- idle P list (lock held) -------------------------------------------------------------------

    fun pidleputLocked(pp: Processor) {
        pp.idle = true
        pidle[pidleCount++] = pp
        npidle.incrementAndGet()
    }

    fun pidlegetLocked(): Processor? {
        if (pidleCount == 0) {
            return null
        }
        val pp = pidle[--pidleCount]!!
        pidle[pidleCount] = null
        pp.idle = false
        npidle.decrementAndGet()
        return pp
    }

    /** Takes the specific idle P [want]. */
    private fun pidlegetLocked(want: Processor): Processor {
        val i = pidle.indexOf(want)
        pidle[i] = pidle[pidleCount - 1]
        pidle[--pidleCount] = null
        want.idle = false
        npidle.decrementAndGet()
        return want
    }

    /** The earliest armed timer of any P, or [TimerQueue.NONE] (Go's checkTimersNoP). */
    fun earliestTimer(): Long {
        var earliest = TimerQueue.NONE
        for (pp in allp) {
            val w = pp.timers.nextWhen
            if (w != TimerQueue.NONE && (earliest == TimerQueue.NONE || w - earliest < 0)) {
                earliest = w
            }
        }
        return earliest
    }

    fun randomP(): Int = ThreadLocalRandom.current().nextInt(parallelism)

    // ---- stats and close ---------------------------------------------------------------------------

    fun threads(): List<Thread> = synchronized(lock) { ArrayList<Thread>(allm) }

    fun threadCounts(): IntArray = synchronized(lock) { intArrayOf(allm.size, midle.size) }

    /**
     * Stops every worker and waits for them (except the caller, if it is one): running tasks
     * finish, parked workers and the poller are woken and exit. Then hands what is left in the
     * queues and timer heaps to the after-close path.
     */
    fun close() {
        val workers = synchronized(lock) {
            if (closed) {
                return
            }
            closed = true
            ArrayList(allm)
        }
        for (m in workers) {
            LockSupport.unpark(m)
        }
        breakPoller()
        val self = Thread.currentThread()
        for (m in workers) {
            if (m !== self) {
                while (m.isAlive) {
                    netpoll.wakeup()
                    LockSupport.unpark(m)
                    m.join(JOIN_POLL_MILLIS)
                }
            }
        }
        netpoll.detachDriver(netpollDriver)
        drainAfterClose()
    }

    /**
     * Queued tasks go the [AfterClose] way; armed timers are abandoned. Every queue is
     * multi-consumer, so this is safe even while the closing task itself still runs on a worker.
     */
    fun drainAfterClose() {
        while (true) {
            val task = synchronized(lock) { global.pollLocked() } ?: break
            AfterClose.run(task)
        }
        for (pp in allp) {
            pp.runq.drainTo(AfterClose::run)
            pp.timers.drainTo(SchedTimer::abandon)
        }
    }

    fun workerExited(m: Worker) {
        synchronized(lock) {
            midle.remove(m)
            allm.remove(m)
        }
    }

    companion object {
        private const val JOIN_POLL_MILLIS = 100L

        fun nanoTimeNonZero(): Long {
            val now = System.nanoTime()
            return if (now == 0L) 1L else now
        }
    }
}
