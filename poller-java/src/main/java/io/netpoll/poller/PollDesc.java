package io.netpoll.poller;

import io.netpoll.poller.jfr.DeadlineExpiredEvent;
import io.netpoll.poller.jfr.PollerEvents;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The per-descriptor readiness state shared by I/O callers and the poller (Go's pollDesc).
 *
 * <h2>Slots</h2>
 * Each direction has a slot ({@code rg} for reads, {@code wg} for writes) holding one of:
 * <ul>
 *   <li>{@code NIL} (null): no readiness recorded and nobody waiting;</li>
 *   <li>{@link #READY}: the poller saw readiness that no caller has consumed yet;</li>
 *   <li>{@link #WAIT}: a caller is about to park (between its two CASes);</li>
 *   <li>a {@link Waiter}: a caller is parked.</li>
 * </ul>
 * Transitions: a caller moves NIL→WAIT→waiter ({@link #waitFor}) or consumes READY→NIL; the poller
 * moves NIL/WAIT/waiter→READY and wakes a waiter it removed ({@link #unblock} with ioready); a
 * deadline or {@link #evict} moves WAIT/waiter→NIL and wakes it, but never records READY. A woken
 * caller swaps the slot back to NIL ({@link #resume}) and re-checks errors. Only one caller may wait
 * per slot: a second one is a programming error and fails loudly (Go: "double wait").
 *
 * <h2>Errors (Go's netpollcheckerr)</h2>
 * {@code closing} (set by {@link #evict}) fails both directions; an expired read/write deadline
 * fails that direction; {@code eventErr} (the poller saw a bare error) fails reads only.
 * {@code eventErrno} is a socket error an event carried ({@link Poller#ERRNO_SHIFT}); it fails
 * nothing here: it is kept until the caller whose syscall found no error of its own takes it
 * ({@link #takeEventErrno}), so it is reported once, like SO_ERROR.
 *
 * <h2>Identity and reuse</h2>
 * Descriptors are pooled and type-stable ({@link PollCache}); {@code id} never changes.
 * {@code fdseq} changes on every {@link #evict} and reuse, and the poller registration carries
 * {@code (id, fdseq)} ({@link #token()}), so a late event for a closed descriptor can never wake the
 * next owner of the same {@code PollDesc} or of the same fd number.
 *
 * <h2>Locking</h2>
 * Slots and flags are lock-free. Deadlines, their timers and their sequence numbers are guarded by
 * {@code this}; {@link Netpoll}'s timer lock nests inside it, never the other way round. One
 * exception keeps the commonest deadline change lock-free: moving a direction's armed deadline
 * later (a server extending its idle or write deadline on every request). That only needs the
 * timer's {@code target} moved, by a CAS from the armed time ({@link DeadlineTimer#extend}); the
 * timer keeps its place in the heap and is placed at the new time when the old one comes. The
 * timer is taken to fire by a CAS of the same word ({@link Netpoll#runDeadlines}), so of an
 * extension and a firing exactly one wins: an extension that loses takes the locked path, which
 * clears the expiry the firing set.
 */
public final class PollDesc {
    public static final int MODE_READ = 1;
    public static final int MODE_WRITE = 2;

    /** Results of {@link #prepare}, {@link #waitFor} and {@link #resume} (Go's pollNoError etc.). */
    public static final int OK = 0;
    public static final int ERR_CLOSING = 1;
    public static final int ERR_TIMEOUT = 2;
    public static final int ERR_NOT_POLLABLE = 3;
    /** {@link #waitFor}: the waiter is parked and will be woken exactly once. */
    public static final int PARKED = 4;
    /** {@link #resume}: woken with no readiness and no error (a deadline moved); wait again. */
    public static final int AGAIN = 5;

    static final Object READY = new Object() {
        @Override
        public String toString() {
            return "READY";
        }
    };
    static final Object WAIT = new Object() {
        @Override
        public String toString() {
            return "WAIT";
        }
    };

    private static final VarHandle RG;
    private static final VarHandle WG;
    private static final VarHandle EVENT_ERRNO;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            RG = l.findVarHandle(PollDesc.class, "rg", Object.class);
            WG = l.findVarHandle(PollDesc.class, "wg", Object.class);
            EVENT_ERRNO = l.findVarHandle(PollDesc.class, "eventErrno", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Netpoll netpoll;
    final int id;
    private volatile Object rg;
    private volatile Object wg;
    private volatile int fd = -1;
    private volatile int fdseq;
    private volatile boolean closing;
    private volatile boolean eventErr;
    private volatile boolean hangup;
    private volatile int eventErrno;
    private volatile boolean readExpired;
    private volatile boolean writeExpired;

    // guarded by this
    private final DeadlineTimer readTimer = new DeadlineTimer(this, MODE_READ);
    private final DeadlineTimer writeTimer = new DeadlineTimer(this, MODE_WRITE);
    private int rseq;
    private int wseq;

    PollDesc(Netpoll netpoll, int id) {
        this.netpoll = netpoll;
        this.id = id;
    }

    public int fd() {
        return fd;
    }

    public int fdseq() {
        return fdseq;
    }

    public boolean isClosing() {
        return closing;
    }

    /** The poller registration tag: {@code id} in the high half, {@code fdseq} in the low half. */
    public long token() {
        return ((long) id << 32) | (fdseq & 0xffffffffL);
    }

    /** Readies this descriptor for a new fd (Go's poll_runtime_pollOpen). */
    synchronized void init(int fd) {
        Object r = rg;
        Object w = wg;
        if ((r != null && r != READY) || (w != null && w != READY)) {
            throw new IllegalStateException("reused PollDesc still has a waiter: " + r + " / " + w);
        }
        this.fd = fd;
        fdseq++;
        closing = false;
        eventErr = false;
        hangup = false;
        eventErrno = 0;
        readExpired = false;
        writeExpired = false;
        rseq++;
        wseq++;
        rg = null;
        wg = null;
    }

    // ---- caller side -------------------------------------------------------------------------

    /** Go's netpollcheckerr. */
    public int checkErr(int mode) {
        if (closing) {
            return ERR_CLOSING;
        }
        if ((mode == MODE_READ && readExpired) || (mode == MODE_WRITE && writeExpired)) {
            return ERR_TIMEOUT;
        }
        if (mode == MODE_READ && eventErr) {
            return ERR_NOT_POLLABLE;
        }
        return OK;
    }

    /**
     * True once the poller reported {@link Poller#HANGUP} for this descriptor: the peer sends
     * nothing more, so no further read readiness will be reported.
     */
    public boolean hungUp() {
        return hangup;
    }

    /**
     * The socket error the poller last took from an event for this descriptor, as the OS numbers
     * it, or 0; clears it. For a caller whose syscall reported no error although one happened: a
     * connect whose SO_ERROR reads 0, a read at end of stream after a reset, when a kqueue library
     * consumed SO_ERROR to build the event. A caller whose syscall did report an error takes it
     * too, so that the same error is not reported twice.
     */
    public int takeEventErrno() {
        // hot path: no allocation
        return eventErrno == 0 ? 0 : (int) EVENT_ERRNO.getAndSet(this, 0);
    }

    /** True if readiness for {@code mode} is recorded and not yet consumed by a wait or attempt. */
    public boolean isReady(int mode) {
        return slot(mode) == READY;
    }

    /**
     * Before a read or write attempt (Go's poll_runtime_pollReset): reports an error, or forgets
     * stale readiness. The following syscall observes the real state, so nothing is lost.
     */
    public int prepare(int mode) {
        int err = checkErr(mode);
        if (err != OK) {
            return err;
        }
        slotSet(mode, null);
        return OK;
    }

    /**
     * After EAGAIN (Go's poll_runtime_pollWait / netpollblock): consumes recorded readiness and
     * returns {@link #OK}, returns an error, or parks {@code waiter} and returns {@link #PARKED}; a
     * parked waiter is woken exactly once, and its owner then calls {@link #resume}. Before looking
     * at the slot it tells the backend a wait is coming ({@link Poller#rearm}), which a one-shot
     * backend (IOCP) needs in order to report this direction again.
     *
     * @throws IllegalStateException if another caller already waits on this slot
     */
    public int waitFor(int mode, Waiter waiter) {
        int err = checkErr(mode);
        if (err != OK) {
            return err;
        }
        netpoll.rearm(this, mode);
        for (;;) {
            Object old = slot(mode);
            if (old == READY) {
                if (slotCas(mode, READY, null)) {
                    return OK;
                }
            } else if (old == null) {
                if (slotCas(mode, null, WAIT)) {
                    break;
                }
            } else {
                throw new IllegalStateException("double wait on fd " + fd + (mode == MODE_READ ? " (read)" : " (write)"));
            }
        }
        // Close or a deadline may have happened between the check and publishing WAIT; they do not
        // wake a WAIT slot, so check again before committing (Go's netpollblockcommit).
        if (checkErr(mode) == OK && slotCas(mode, WAIT, waiter)) {
            netpoll.waiterParked();
            return PARKED;
        }
        return resume(mode);
    }

    /**
     * The second half of a wait, run by the woken owner (or when the commit failed): clears the
     * slot and reports readiness, an error, or {@link #AGAIN}.
     */
    public int resume(int mode) {
        Object old = slotGetAndSet(mode, null);
        if (old == READY) {
            return OK;
        }
        int err = checkErr(mode);
        return err != OK ? err : AGAIN;
    }

    /**
     * Takes {@code waiter} back out of its slot (a cancelled coroutine or interrupted thread).
     * Returns false if somebody else already removed and woke it; its owner must then treat the
     * wake as delivered.
     */
    public boolean cancelWait(int mode, Waiter waiter) {
        if (slotCas(mode, waiter, null)) {
            netpoll.waiterUnparked();
            return true;
        }
        return false;
    }

    // ---- poller / deadline / close side --------------------------------------------------------

    /**
     * Called by {@link Netpoll} for an event whose token matched (Go's netpollready): the waiters
     * it removes go to {@code ready}, or are woken here when that is null.
     */
    void ready(int events, ReadyList ready) {
        eventErr = events == Poller.ERROR;
        int errno = events >>> Poller.ERRNO_SHIFT;
        if (errno != 0) {
            eventErrno = errno; // before the wakes below, so the woken caller sees it
        }
        if ((events & Poller.HANGUP) != 0) {
            hangup = true;
        }
        if ((events & (Poller.READ | Poller.ERROR)) != 0) {
            handBack(unblock(MODE_READ, true), ready);
        }
        if ((events & (Poller.WRITE | Poller.ERROR)) != 0) {
            handBack(unblock(MODE_WRITE, true), ready);
        }
    }

    private static void handBack(Waiter w, ReadyList ready) {
        if (w != null && ready != null) {
            ready.add(w);
        } else {
            wake(w);
        }
    }

    /**
     * Go's netpollunblock: with {@code ioready} records READY and removes a waiter; without it
     * only removes a parked waiter (so the caller re-checks its errors). Returns the removed waiter.
     */
    private Waiter unblock(int mode, boolean ioready) {
        for (;;) {
            Object old = slot(mode);
            if (old == READY) {
                return null;
            }
            if (old == null && !ioready) {
                return null;
            }
            if (slotCas(mode, old, ioready ? READY : null)) {
                if (old instanceof Waiter) {
                    netpoll.waiterUnparked();
                    return (Waiter) old;
                }
                return null;
            }
        }
    }

    /**
     * Hands a removed waiter back to its owner. A waiter whose {@code wake} throws is a bug in that
     * waiter; it is logged (as an error, to the {@link Netpoll#LOGGER} logger) and must not take the
     * poller (or a closer, or a deadline) down with it.
     */
    static void wake(Waiter w) {
        if (w == null) {
            return;
        }
        try {
            w.wake();
        } catch (Throwable t) {
            System.getLogger(Netpoll.LOGGER).log(System.Logger.Level.ERROR, "the wake of a waiter on a descriptor failed", t);
        }
    }

    /**
     * Marks the descriptor closing and wakes every waiter with {@link #ERR_CLOSING} (Go's
     * poll_runtime_pollUnblock). Later events for this registration are dropped (fdseq moves on).
     */
    public void evict() {
        Waiter r;
        Waiter w;
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
            netpoll.evicted();
            fdseq++;
            rseq++;
            wseq++;
            netpoll.cancelDeadline(readTimer);
            netpoll.cancelDeadline(writeTimer);
            r = unblock(MODE_READ, false);
            w = unblock(MODE_WRITE, false);
        }
        wake(r);
        wake(w);
    }

    /**
     * Sets the absolute deadline for {@code mode} ({@link #MODE_READ}, {@link #MODE_WRITE} or both)
     * in {@link System#nanoTime()} time (Go's poll_runtime_pollSetDeadline). A deadline that has
     * passed fails pending and future calls at once; a future one arms a timer that will.
     */
    public void setDeadline(int mode, long deadlineNanos) {
        // hot path: no allocation, and no lock when it moves an armed deadline later
        int locked = mode;
        if ((mode & MODE_READ) != 0 && readTimer.extend(deadlineNanos)) {
            locked &= ~MODE_READ;
        }
        if ((mode & MODE_WRITE) != 0 && writeTimer.extend(deadlineNanos)) {
            locked &= ~MODE_WRITE;
        }
        if (locked != 0) {
            setOrClear(locked, true, deadlineNanos);
        }
    }

    /** Removes the deadline for {@code mode}; calls may block indefinitely again. */
    public void clearDeadline(int mode) {
        setOrClear(mode, false, 0);
    }

    private void setOrClear(int mode, boolean set, long deadlineNanos) {
        Waiter r = null;
        Waiter w = null;
        synchronized (this) {
            if (closing) {
                return;
            }
            boolean expired = set && deadlineNanos - System.nanoTime() <= 0;
            if ((mode & MODE_READ) != 0) {
                rseq++;
                readExpired = expired;
                rearm(readTimer, rseq, set && !expired, deadlineNanos);
                if (expired) {
                    r = unblock(MODE_READ, false);
                }
            }
            if ((mode & MODE_WRITE) != 0) {
                wseq++;
                writeExpired = expired;
                rearm(writeTimer, wseq, set && !expired, deadlineNanos);
                if (expired) {
                    w = unblock(MODE_WRITE, false);
                }
            }
        }
        wake(r);
        wake(w);
    }

    private void rearm(DeadlineTimer t, int seq, boolean arm, long deadlineNanos) {
        if (arm) {
            netpoll.armDeadline(t, deadlineNanos, seq);
        } else {
            netpoll.cancelDeadline(t);
        }
    }

    /** A deadline timer fired (Go's netpolldeadlineimpl); stale timers are recognised by seq. */
    void deadlineExpired(int mode, int seq) {
        Waiter w;
        synchronized (this) {
            if (closing || seq != (mode == MODE_READ ? rseq : wseq)) {
                return;
            }
            if (mode == MODE_READ) {
                readExpired = true;
            } else {
                writeExpired = true;
            }
            w = unblock(mode, false);
        }
        netpoll.deadlineExpired();
        if (PollerEvents.deadlineExpired()) {
            DeadlineExpiredEvent.emit(fd, mode, w != null);
        }
        wake(w);
    }

    // ---- slot access ---------------------------------------------------------------------------

    private Object slot(int mode) {
        return mode == MODE_READ ? rg : wg;
    }

    private void slotSet(int mode, Object v) {
        if (mode == MODE_READ) {
            rg = v;
        } else {
            wg = v;
        }
    }

    private boolean slotCas(int mode, Object expect, Object update) {
        return mode == MODE_READ ? RG.compareAndSet(this, expect, update) : WG.compareAndSet(this, expect, update);
    }

    private Object slotGetAndSet(int mode, Object v) {
        return mode == MODE_READ ? RG.getAndSet(this, v) : WG.getAndSet(this, v);
    }

    /**
     * The timer behind one direction's deadline. {@code seq} is written under {@link Netpoll}'s
     * timer lock when armed and copied to {@code firingSeq} under the same lock when the timer is
     * taken off the heap, so a firing that races with a re-arm is recognised as stale by
     * {@link #deadlineExpired}.
     */
    static final class DeadlineTimer extends Timer {
        /** {@code target} of a timer that is not in the heap (never armed, cancelled, or taken to fire). */
        static final long NOT_ARMED = Long.MIN_VALUE;
        private static final VarHandle TARGET;

        static {
            try {
                TARGET = MethodHandles.lookup().findVarHandle(DeadlineTimer.class, "target", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final PollDesc pd;
        final int mode;
        int seq;
        int firingSeq;
        /**
         * The deadline itself, or {@link #NOT_ARMED}; {@code when} may be earlier (see {@link
         * Netpoll#armDeadline}). Written under the timer lock, except by {@link #extend}'s CAS.
         */
        volatile long target = NOT_ARMED;

        DeadlineTimer(PollDesc pd, int mode) {
            this.pd = pd;
            this.mode = mode;
        }

        /**
         * Moves an armed deadline to the later {@code deadlineNanos}, which has not passed, without
         * a lock; false if the timer is not armed, the move is not later, the time has passed, or
         * the timer was taken to fire meanwhile (the caller then takes the locked path).
         */
        boolean extend(long deadlineNanos) {
            long armed = target;
            return armed != NOT_ARMED && deadlineNanos - armed >= 0 && deadlineNanos - System.nanoTime() > 0
                    && TARGET.compareAndSet(this, armed, deadlineNanos);
        }

        /** Takes the timer to fire if its target is still {@code due}; false if an extension moved it. */
        boolean claim(long due) {
            return TARGET.compareAndSet(this, due, NOT_ARMED);
        }

        @Override
        protected void fire(long nowNanos) {
            pd.deadlineExpired(mode, firingSeq);
        }
    }
}
