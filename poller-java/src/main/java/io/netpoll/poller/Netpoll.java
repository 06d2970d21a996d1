package io.netpoll.poller;

import io.netpoll.poller.epoll.EpollPoller;
import io.netpoll.poller.iocp.IocpPoller;
import io.netpoll.poller.iouring.IoUringPoller;
import io.netpoll.poller.jfr.PollEvent;
import io.netpoll.poller.jfr.PollerEvents;
import io.netpoll.poller.kqueue.KqueueNative;
import io.netpoll.poller.kqueue.KqueuePoller;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process-wide network poller (Go's runtime netpoll): one {@link Poller} backend, the
 * {@link PollDesc} cache, and the heap of socket deadline timers.
 *
 * <h2>Who polls</h2>
 * Any thread may call {@link #poll}. At most one thread blocks in the kernel at a time (Go's
 * sched.lastpoll rule); a caller that asks to block while another is blocked polls without
 * waiting instead. Ready waiters are woken by the polling thread through {@link Waiter#wake},
 * which only hands them back to their owners.
 *
 * <h2>Drivers</h2>
 * Something must call {@link #poll} and {@link #runDeadlines} while callers wait. A scheduler
 * that does so (the dispatcher's idle worker, its sysmon) registers with {@link #attachDriver};
 * while none is attached, a daemon {@link NetpollDriver} thread does it, started the first time a
 * waiter parks. So every API works without any scheduler, and none of this costs a thread in a
 * process that never waits.
 *
 * <h2>Deadlines</h2>
 * Deadline timers live in one heap here and fire from {@link #runDeadlines}, called by the driver
 * before each poll with the time until the next one as the poll timeout. Arming a timer earlier
 * than the blocked poller's wake-up time breaks the poller ({@link Poller#wakeup}) so it re-plans.
 * Moving an armed deadline later leaves its timer in place until it comes due, and places it then
 * ({@link #armDeadline}); the move itself takes no lock (PollDesc's locking section).
 */
public final class Netpoll {
    /**
     * The {@link System.Logger} the poller reports its own failures to (a waiter whose wake threw,
     * the fallback driver's poll failing, a backend's deregistration failing); looked up only then.
     */
    public static final String LOGGER = "io.netpoll.poller";

    private static final Object INIT_LOCK = new Object();
    private static volatile Netpoll instance;

    private final Poller poller;
    private final PollCache cache = new PollCache(this);
    // One per role, so each carries the ReadyList of the one poll that holds the role.
    private final Sink sink = new Sink();
    private final Sink blockingSink = new Sink();
    private final NetpollDriver driver = new NetpollDriver(this);

    private final Object timerLock = new Object();
    private final TimerHeap deadlines = new TimerHeap();
    private volatile int armedDeadlines;

    private final AtomicBoolean blockingRole = new AtomicBoolean();
    private final AtomicBoolean nonBlockingRole = new AtomicBoolean();
    private volatile boolean pollerBlocked;
    private volatile boolean pollerBlockedForever;
    private volatile long pollerWakeAtNanos;

    /**
     * Parked waiters in the low 32 bits and, above them, how many parks there have been in all: one
     * atomic add per park and per wake keeps both, so the fallback driver can tell whether anybody
     * parked since its last poll ({@link #parksSoFar}).
     */
    private final AtomicLong waiterWord = new AtomicLong();
    private static final long ONE_PARK = (1L << 32) | 1L;
    private final AtomicInteger drivers = new AtomicInteger();
    /** The attached schedulers' {@link Driver}s (replaced on attach and detach) and how many stopped polling. */
    private volatile Driver[] attached = new Driver[0];
    private final AtomicInteger stoppedDrivers = new AtomicInteger();
    /** Registered descriptors not yet evicted: those whose owner (a NetFD) has not closed them. */
    private final AtomicInteger unclosed = new AtomicInteger();

    private final AtomicLong polls = new AtomicLong();
    private final AtomicLong blockingPolls = new AtomicLong();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong deadlinesExpired = new AtomicLong();

    /** A private instance over {@code poller}; production code uses {@link #get()}. */
    Netpoll(Poller poller) {
        this.poller = poller;
    }

    /** The process's poller, created on first use with the backend for this OS. */
    public static Netpoll get() {
        Netpoll np = instance;
        if (np != null) {
            return np;
        }
        synchronized (INIT_LOCK) {
            if (instance == null) {
                instance = new Netpoll(openBackend(System.getProperty("netpoll.backend", defaultBackend())));
            }
            return instance;
        }
    }

    /** The backends {@code -Dnetpoll.backend} accepts, and where each runs. */
    static final String SUPPORTED_BACKENDS = "epoll (Linux), io_uring (Linux 5.13+), kqueue (macOS, FreeBSD; Linux with -D"
            + KqueueNative.LIBRARY_PROPERTY + "), iocp (Windows)";

    /** The backend Go would pick for this OS. */
    static String defaultBackend() {
        return defaultBackend(System.getProperty("os.name", ""));
    }

    static String defaultBackend(String osName) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.contains("linux")) {
            return "epoll";
        }
        if (os.contains("mac") || os.contains("darwin") || os.contains("freebsd")) {
            return "kqueue";
        }
        if (os.contains("windows")) {
            return "iocp";
        }
        throw new IllegalStateException("netpoll: no backend for OS '" + osName + "'; supported: " + SUPPORTED_BACKENDS
                + "; set -Dnetpoll.backend to choose one explicitly");
    }

    /**
     * Opens the backend called {@code name} on this OS.
     *
     * @throws IllegalArgumentException for a name that is not a backend
     * @throws IllegalStateException for a backend this OS cannot run, whose library cannot be
     *     loaded (a missing {@code -Dnetpoll.kqueue.library}), or whose kernel lacks what it needs
     *     (io_uring: the message names the missing opcode, feature or kernel version)
     */
    static Poller openBackend(String name) {
        String os = System.getProperty("os.name", "");
        try {
            switch (name) {
                case "epoll":
                    requireOs(name, os, "linux");
                    return new EpollPoller();
                case "io_uring":
                    requireOs(name, os, "linux");
                    return new IoUringPoller();
                case "kqueue":
                    try {
                        return new KqueuePoller();
                    } catch (IllegalStateException | UnsatisfiedLinkError e) {
                        // No table for this OS, or no kqueue/kevent in the library: JNA's message
                        // goes on with every path it searched, so only its first line is kept.
                        String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
                        throw new IllegalStateException("netpoll: " + why + "; supported: " + SUPPORTED_BACKENDS, e);
                    }
                case "iocp":
                    requireOs(name, os, "windows");
                    return new IocpPoller();
                default:
                    throw new IllegalArgumentException("netpoll: unknown backend '" + name + "' (-Dnetpoll.backend); supported: "
                            + SUPPORTED_BACKENDS);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("netpoll: cannot start the " + name + " backend", e);
        }
    }

    private static void requireOs(String backend, String osName, String os) {
        if (!osName.toLowerCase(Locale.ROOT).contains(os)) {
            throw new IllegalStateException("netpoll: the " + backend + " backend does not run on '" + osName
                    + "'; supported: " + SUPPORTED_BACKENDS);
        }
    }

    // ---- registration ----------------------------------------------------------------------------

    /** Registers {@code fd} with the backend (Go's poll_runtime_pollOpen) and returns its descriptor. */
    public PollDesc open(int fd) throws IOException {
        PollDesc pd = cache.alloc();
        pd.init(fd);
        unclosed.incrementAndGet();
        try {
            poller.open(fd, pd);
        } catch (IOException | RuntimeException e) {
            pd.evict();
            cache.free(pd);
            throw e;
        }
        return pd;
    }

    /**
     * Deregisters and recycles {@code pd} (Go's poll_runtime_pollClose). The caller has already
     * called {@link PollDesc#evict} and no operation is in flight on the descriptor.
     */
    public void close(PollDesc pd) {
        if (!pd.isClosing()) {
            throw new IllegalStateException("close of a PollDesc that was not evicted");
        }
        poller.close(pd.fd());
        cache.free(pd);
    }

    /** {@code pd} was evicted: its owner closed it (counted once, by {@link PollDesc#evict}). */
    void evicted() {
        unclosed.decrementAndGet();
    }

    /** A caller is about to wait for {@code mode} on {@code pd}; see {@link Poller#rearm}. */
    void rearm(PollDesc pd, int mode) {
        poller.rearm(pd.fd(), pd.token(), mode == PollDesc.MODE_READ ? Poller.READ : Poller.WRITE);
    }

    // ---- polling ---------------------------------------------------------------------------------

    /**
     * Collects ready descriptors and wakes their waiters (Go's netpoll(delay)). Blocks at most
     * {@code timeoutNanos} ({@code < 0} forever, {@code 0} not at all), unless another thread is
     * already blocked here, in which case it returns without waiting. Returns the events handled.
     */
    public int poll(long timeoutNanos) {
        return poll(timeoutNanos, null);
    }

    /**
     * {@link #poll} that hands the waiters it made runnable back in {@code ready} instead of waking
     * them (Go's netpoll returning a gList): the caller wakes them with {@link ReadyList#wakeAll}
     * once it has decided where they run. Null wakes them here.
     */
    public int poll(long timeoutNanos, ReadyList ready) {
        int n = tryPoll(timeoutNanos, ready);
        return n >= 0 ? n : tryPoll(0, ready);
    }

    /** Like {@link #poll} but returns -1 instead of polling when the role it needs is taken. */
    int tryPoll(long timeoutNanos, ReadyList ready) {
        // hot path: no allocation
        if (timeoutNanos != 0) {
            if (!blockingRole.compareAndSet(false, true)) {
                return -1;
            }
            try {
                pollerBlockedForever = timeoutNanos < 0;
                pollerWakeAtNanos = System.nanoTime() + timeoutNanos;
                pollerBlocked = true;
                long untilDeadline = nextDeadlineDelay();
                if (untilDeadline >= 0 && (timeoutNanos < 0 || untilDeadline < timeoutNanos)) {
                    timeoutNanos = Math.max(untilDeadline, 1);
                }
                blockingPolls.lazySet(blockingPolls.get() + 1);
                blockingSink.ready = ready;
                PollEvent event = PollerEvents.poll() ? PollEvent.start() : null;
                int n = poller.poll(timeoutNanos, true, blockingSink);
                if (event != null) {
                    event.finish(poller.name(), true, timeoutNanos, n);
                }
                events.addAndGet(n);
                return n;
            } finally {
                blockingSink.ready = null;
                pollerBlocked = false;
                blockingRole.set(false);
            }
        }
        if (!nonBlockingRole.compareAndSet(false, true)) {
            return -1;
        }
        try {
            polls.lazySet(polls.get() + 1);
            sink.ready = ready;
            PollEvent event = PollerEvents.poll() ? PollEvent.start() : null;
            int n = poller.poll(0, false, sink);
            if (event != null) {
                event.finish(poller.name(), false, 0, n);
            }
            if (n > 0) {
                events.addAndGet(n);
            }
            return n;
        } finally {
            sink.ready = null;
            nonBlockingRole.set(false);
        }
    }

    /** Breaks a blocked {@link #poll} (Go's netpollBreak); coalesced by the backend. */
    public void wakeup() {
        poller.wakeup();
    }

    /** True while some thread is blocked in {@link #poll} with a timeout. */
    public boolean isPollerBlocked() {
        return pollerBlocked;
    }

    // ---- deadlines -------------------------------------------------------------------------------

    /**
     * Fires every deadline due at {@code nowNanos} and returns the nanoseconds until the next one,
     * or -1 if none is armed. Called by whoever drives the poller, before it polls.
     */
    public long runDeadlines(long nowNanos) {
        if (armedDeadlines == 0) {
            return -1;
        }
        for (;;) {
            PollDesc.DeadlineTimer t;
            synchronized (timerLock) {
                t = (PollDesc.DeadlineTimer) deadlines.pollDue(nowNanos);
                if (t == null) {
                    armedDeadlines = deadlines.size();
                    Timer next = deadlines.peek();
                    return next == null ? -1 : next.when - nowNanos;
                }
                long target = t.target;
                if (target - nowNanos > 0 || !t.claim(target)) {
                    deadlines.reset(t, t.target); // moved later since it was placed: place it now
                    continue;
                }
                armedDeadlines = deadlines.size();
                t.firingSeq = t.seq;
            }
            t.fire(nowNanos);
        }
    }

    /** Nanoseconds until the earliest armed deadline (0 if overdue), or -1 if none. */
    public long nextDeadlineDelay() {
        if (armedDeadlines == 0) {
            return -1;
        }
        synchronized (timerLock) {
            Timer next = deadlines.peek();
            return next == null ? -1 : Math.max(0, next.when - System.nanoTime());
        }
    }

    /**
     * Arms {@code t} for {@code whenNanos}. A deadline moved later while armed (a server extending
     * its idle or write deadline on every request) stays where it sits in the heap, with its real
     * time in {@code target}: it comes due early, and {@link #runDeadlines} places it again then.
     * So an extension costs no heap work and never needs to break the poller, at the price of one
     * early look per extended deadline.
     */
    void armDeadline(PollDesc.DeadlineTimer t, long whenNanos, int seq) {
        synchronized (timerLock) {
            t.seq = seq;
            t.target = whenNanos;
            if (t.heapIndex >= 0 && t.when - whenNanos <= 0) {
                return;
            }
            deadlines.reset(t, whenNanos);
            armedDeadlines = deadlines.size();
        }
        if (pollerBlocked && (pollerBlockedForever || whenNanos - pollerWakeAtNanos < 0)) {
            poller.wakeup();
        }
        if (drivers.get() == 0) {
            driver.ensureRunning();
            driver.unparkIfIdle();
        } else {
            wakeIdleDrivers();
        }
    }

    void cancelDeadline(PollDesc.DeadlineTimer t) {
        synchronized (timerLock) {
            t.target = PollDesc.DeadlineTimer.NOT_ARMED;
            if (deadlines.remove(t)) {
                armedDeadlines = deadlines.size();
            }
        }
    }

    // ---- drivers and waiters ---------------------------------------------------------------------

    /**
     * An attached scheduler, as the Netpoll sees it: told when polling is needed again after it
     * stopped ({@link #stopPolling}). The rule is the fallback driver's and Go's findRunnable's:
     * block in the poller only while somebody waits or a deadline (or the scheduler's own timer)
     * is armed; otherwise every edge of a descriptor nobody waits for would wake it.
     */
    public abstract static class Driver {
        /** Between a {@link #stopPolling} that returned true and the {@link #pollNeeded} it earns. */
        private final AtomicBoolean stopped = new AtomicBoolean();

        /**
         * A waiter parked or a deadline was armed while this driver had stopped polling; called
         * once per {@link #stopPolling} that returned true, on the parking or arming thread, so it
         * must only hand off (wake a worker that will poll).
         */
        protected abstract void pollNeeded();
    }

    /**
     * {@code d} would stop polling: true if it may, since nobody waits and no deadline is armed,
     * and then {@link Driver#pollNeeded} tells it when that changes; false if it should poll. The
     * handshake is the fallback driver's: the driver marks itself stopped, then reads the waiter
     * word; a parker adds to the waiter word, then reads the stopped count; one of them sees the
     * other. Allocates nothing: a blocking round trip may pass through here every time.
     */
    public boolean stopPolling(Driver d) {
        if (!nothingToDriveNow()) {
            return false;
        }
        if (d.stopped.compareAndSet(false, true)) {
            stoppedDrivers.incrementAndGet();
        }
        if (nothingToDriveNow()) {
            return true;
        }
        if (d.stopped.compareAndSet(true, false)) {
            stoppedDrivers.decrementAndGet();
        }
        return false;
    }

    private boolean nothingToDriveNow() {
        return waiters() == 0 && armedDeadlines == 0;
    }

    private void wakeIdleDrivers() {
        // hot path: no allocation; a volatile read unless a driver has stopped
        if (stoppedDrivers.get() == 0) {
            return;
        }
        for (Driver d : attached) {
            if (d.stopped.compareAndSet(true, false)) {
                stoppedDrivers.decrementAndGet();
                d.pollNeeded();
            }
        }
    }

    /**
     * A scheduler takes over polling and firing deadlines; the fallback driver thread stands down
     * until every attached scheduler has detached.
     */
    public void attachDriver() {
        drivers.incrementAndGet();
        poller.wakeup();
    }

    /** {@link #attachDriver()} for a scheduler that stops polling when idle ({@link #stopPolling}). */
    public void attachDriver(Driver d) {
        synchronized (this) {
            Driver[] a = Arrays.copyOf(attached, attached.length + 1);
            a[a.length - 1] = d;
            attached = a;
        }
        attachDriver();
    }

    public void detachDriver(Driver d) {
        synchronized (this) {
            attached = Arrays.stream(attached).filter(x -> x != d).toArray(Driver[]::new);
        }
        if (d.stopped.compareAndSet(true, false)) {
            stoppedDrivers.decrementAndGet();
        }
        detachDriver();
    }

    public void detachDriver() {
        if (drivers.decrementAndGet() == 0) {
            if (waiters() > 0 || armedDeadlines > 0) {
                driver.ensureRunning();
            }
            driver.unpark();
        }
    }

    int attachedDrivers() {
        return drivers.get();
    }

    /** Waiters parked on any descriptor (Go's netpollWaiters). */
    public int waiters() {
        return (int) waiterWord.get();
    }

    /** Parks there have been since this Netpoll was made; compared by the driver before it idles. */
    long parksSoFar() {
        return waiterWord.get() >>> 32;
    }

    /**
     * True when nobody is parked, nobody parked since {@code parksBefore} was read, and no deadline
     * is armed: a blocking poll would only collect edges nobody waits for (Go's findRunnable blocks
     * in netpoll only if netpollAnyWaiters or a timer is due).
     */
    boolean nothingToDrive(long parksBefore) {
        long w = waiterWord.get();
        return (int) w == 0 && (w >>> 32) == parksBefore && armedDeadlines == 0;
    }

    void waiterParked() {
        waiterWord.addAndGet(ONE_PARK);
        if (drivers.get() == 0) {
            driver.ensureRunning();
            driver.unparkIfIdle();
        } else {
            wakeIdleDrivers();
        }
    }

    void waiterUnparked() {
        waiterWord.decrementAndGet();
    }

    /** The fallback driver thread, or null if it has never been needed. */
    public Thread driverThread() {
        return driver.thread();
    }

    /** A deadline came due ({@link PollDesc}'s timer fired for the current deadline). */
    void deadlineExpired() {
        deadlinesExpired.incrementAndGet();
    }

    /** A snapshot of the counters; see {@link NetpollStats} for what each one costs and means. */
    public NetpollStats stats() {
        return new NetpollStats(poller.name(), unclosed.get(), cache.inUse(), waiters(), parksSoFar(), armedDeadlines,
                deadlinesExpired.get(), polls.get(), blockingPolls.get(), events.get(), pollerBlocked,
                poller.wakeupWrites(), drivers.get(), driver.thread() != null);
    }

    /** Resolves event tokens to descriptors; drops events whose fdseq no longer matches. */
    private final class Sink implements ReadySink {
        /** Where the poll holding this sink's role hands its waiters back; null wakes them. */
        ReadyList ready;

        @Override
        public void ready(long token, int eventBits) {
            // hot path: no allocation
            PollDesc pd = cache.lookup((int) (token >>> 32));
            if (pd != null && pd.fdseq() == (int) token) {
                pd.ready(eventBits, ready);
            }
        }
    }
}
