package io.netpoll.poller.kqueue;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.poller.Netpoll;
import io.netpoll.poller.PollDesc;
import io.netpoll.poller.Poller;
import io.netpoll.poller.ReadySink;

import java.io.IOException;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * macOS/BSD backend (Go's netpoll_kqueue.go), also runnable on Linux over a user-space kqueue
 * library ({@code -Dnetpoll.kqueue.library}).
 *
 * <h2>Registration</h2>
 * {@link #open} adds two knotes per fd, EVFILT_READ and EVFILT_WRITE, both {@code EV_ADD|EV_CLEAR}:
 * EV_CLEAR resets a knote's state once it has been returned, which makes kqueue edge-triggered like
 * epoll's EPOLLET. Each knote's {@code udata} is the descriptor's token (id, fdseq), so an event that
 * outlives its registration is dropped by {@code Netpoll} on the fdseq check.
 *
 * <h2>Event mapping (as Go's netpoll, and equal in effect to the epoll backend)</h2>
 * <ul>
 *   <li>an EVFILT_READ event → {@link Poller#READ}; EVFILT_WRITE → {@link Poller#WRITE}.</li>
 *   <li>EV_EOF on the read filter is the peer's FIN (a read returns 0): a read event marked
 *       {@link Poller#HANGUP}, and a write event too, because some systems tell the write end of
 *       a pipe that its reader is gone only this way, never on the write filter. The woken writer
 *       retries and meets EPIPE, success or EAGAIN (wait again), so the wake is never wrong.</li>
 *   <li>EV_EOF with a non-zero {@code fflags}, on either filter, carries a pending socket error:
 *       both directions and a hang-up, like EPOLLERR, so whichever side waits retries and meets
 *       the error. The error itself goes along too ({@link Poller#ERRNO_SHIFT}): a library that
 *       fills fflags by reading SO_ERROR clears it, and the event is then its only report. (Go's
 *       netFD.connect reads only SO_ERROR; NetFD falls back on the event's copy when it reads 0.)</li>
 *   <li>{@code flags == EV_ERROR} exactly (a knote that failed) → {@link Poller#ERROR} alone.</li>
 * </ul>
 * Readiness may be spurious (one kernel edge can surface on both filters); callers retry their
 * syscall after every wake and treat EAGAIN as "wait again", so this is harmless.
 *
 * <h2>Wakeup (Go's netpollBreak, wakeNetpoll and drainWakeupEvent)</h2>
 * One EVFILT_USER knote, ident {@link #WAKEUP_IDENT}, added without EV_CLEAR: once triggered it is
 * returned by every kevent call until disabled, like a level-triggered eventfd. {@link #wakeup}
 * submits EV_ENABLE with NOTE_TRIGGER. {@code wakeSig} coalesces: only the caller moving it 0→1 makes
 * the kevent call. Only a poll that may wait ({@code timeoutNanos != 0}) consumes the wakeup, by
 * disabling the knote (EV_DISABLE) and then clearing {@code wakeSig}; a non-blocking poll that sees
 * it leaves it for the blocked poll it was meant for. With EV_CLEAR the non-blocking poll would
 * reset the knote just by receiving it, and the blocked poll would sleep on with {@code wakeSig}
 * still set. A trigger overwrites the knote's {@code udata} on some implementations, so the wakeup
 * is recognised by filter and ident, never by udata.
 *
 * <h2>Close</h2>
 * A BSD kernel drops an fd's knotes when the fd is closed, so {@link #close(int)} need do nothing
 * there. libkqueue does not: the registrations outlive the fd and a later fd with the same number
 * never gets events. With {@code deleteOnClose} (always set when a library override is in use),
 * {@link #close(int)} EV_DELETEs both filters first, one kevent call each: a failing change ends
 * its call, and the other filter must still go. ENOENT and EBADF mean there was nothing left to
 * delete and are ignored. Any other errno is unexpected, but it is logged as a warning (to the
 * {@link Netpoll#LOGGER} logger) instead of thrown like the backend's other kevent failures: close
 * must run to the end, or its caller would leak the fd and the {@code PollDesc}.
 *
 * <h2>Timeouts and threads</h2>
 * Timeouts are a {@code struct timespec} (nanosecond resolution, capped at {@link #MAX_WAIT_SECONDS}
 * because Darwin rejects longer waits with EINVAL; the caller then simply polls again). EINTR ends a
 * timed poll with no events (the caller re-plans its timeout); a forever or non-blocking poll and
 * every other call retry it. The blocking and the non-blocking poll each
 * own an event array and a timespec allocated here; open/close/wakeup are thread-safe in the kernel.
 *
 * <h2>A library whose wait holds the queue's lock ({@code waitHoldsLock}, libkqueue)</h2>
 * libkqueue's kevent(2) locks the queue and keeps it locked for the whole wait (its issue #162,
 * open; every release through 2.6 does so), and while it waits for that lock it also holds the
 * library's global lock. So a second thread's kevent call on the queue, be it open's EV_ADD, close's
 * EV_DELETE, the non-blocking poll or the wakeup's NOTE_TRIGGER, blocks until the blocking poll
 * returns, and a poll that waits forever for that very wakeup never does: the process deadlocks
 * (and cannot even exit, libkqueue's exit handler needing the global lock). With
 * {@code waitHoldsLock} (set whenever a library override is in use) the backend therefore
 * <ul>
 *   <li>wakes the poll without kevent: the wakeup writes a byte to a local socket pair whose read
 *       end is registered (EVFILT_READ, EV_CLEAR) instead of the EVFILT_USER knote; a poll that may
 *       wait drains it and clears {@code wakeSig}, as with the trigger. A non-blocking poll that
 *       receives it has reset the knote by doing so, and writes a byte again, so that the blocking
 *       poll the wakeup may have been meant for still gets an edge (as Go's netpoll on Windows
 *       posts a stolen wakeup again);</li>
 *   <li>gets the wait out of the way of every other kevent call: a caller announces itself
 *       ({@code callers}) and, if the blocking poll is waiting or about to, writes a byte to the same
 *       channel; the blocking poll does not start a wait while any caller is announced, but lets
 *       them pass first. Announcing, then reading {@code waiting}, against setting {@code waiting},
 *       then reading {@code callers}, means at least one side sees the other, so no caller is left
 *       behind a wait that nothing will end.</li>
 * </ul>
 *
 * <h2>A library that loses the events that do not fit ({@code losesOverflow}, libkqueue)</h2>
 * A kernel keeps a knote that did not fit the event list active for the next call. libkqueue asks
 * epoll for as many descriptors as the list has entries, but a descriptor whose two filters both
 * fire fills two, and what does not fit is dropped after epoll has consumed it: under EV_CLEAR that
 * edge never comes back, and its waiter sleeps on past data that has arrived. So with
 * {@code losesOverflow} (set whenever a library override is in use) a poll that returns a full
 * list reports every registered descriptor ready in both directions ({@code registrations}, kept
 * by open and close) and treats the wake channel as fired, its byte's edge being one that may
 * have been lost. That readiness is spurious for most of them, which the protocol allows: every
 * woken caller retries its syscall and waits again on EAGAIN. Only a full list costs this, and a
 * kernel kqueue never pays it.
 */
public final class KqueuePoller implements Poller {
    static final long WAKEUP_IDENT = 0;
    static final int MAX_EVENTS = 128;
    static final long MAX_WAIT_SECONDS = 1_000_000L;
    private static final int WAKE_DRAIN = 64;
    /** EAGAIN on Linux, the only OS on which a library override (and so the wake channel) is used. */
    private static final int EAGAIN_LINUX = 11;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final KqueueSyscalls sys;
    private final KqueuePlatform p;
    private final KeventLayout layout;
    private final boolean deleteOnClose;
    private final int kq;

    private final Memory blockingEvents;
    private final Memory nonBlockingEvents;
    private final long blockingEventsAddr;
    private final long nonBlockingEventsAddr;
    private final Memory blockingTimeout = new Memory(KeventLayout.TIMESPEC_SIZE);
    private final Memory nonBlockingTimeout = new Memory(KeventLayout.TIMESPEC_SIZE);
    private final long blockingTimeoutAddr = Pointer.nativeValue(blockingTimeout);
    private final long nonBlockingTimeoutAddr = Pointer.nativeValue(nonBlockingTimeout);
    /** The EV_ENABLE|NOTE_TRIGGER change, written once: every wakeup submits the same bytes. */
    private final Memory trigger;
    private final long triggerAddr;
    /** The EV_DISABLE change with which a blocking poll consumes a wakeup. */
    private final Memory drain;
    private final AtomicInteger wakeSig = new AtomicInteger();
    private final AtomicLong wakeupWrites = new AtomicLong();

    /** See the class comment: the library's kevent holds the queue's lock while it waits. */
    private final boolean waitHoldsLock;
    /** The wake channel (a local socket pair) with {@link #waitHoldsLock}, otherwise -1. */
    private final int wakeRead;
    private final int wakeWrite;
    /** The byte a kick writes, and the buffer the poll drains the channel into. */
    private final Memory wakeByte = new Memory(1);
    private final long wakeByteAddr = Pointer.nativeValue(wakeByte);
    private final Memory wakeDrain = new Memory(WAKE_DRAIN);
    private final long wakeDrainAddr = Pointer.nativeValue(wakeDrain);
    /** See the class comment: a full event list may have lost edges. */
    private final boolean losesOverflow;
    /**
     * With {@link #losesOverflow}: the token registered for each fd number, 0 for none. Written by
     * open and close under {@link #registrationsLock} (so a growth loses no write); read by a poll
     * without it. A token is never 0: {@code fdseq} is at least 1 once a PollDesc is in use.
     */
    private volatile AtomicLongArray registrations = new AtomicLongArray(0);
    private final Object registrationsLock = new Object();
    /** Threads in, or about to make, a kevent call other than the blocking poll's wait. */
    private final AtomicInteger callers = new AtomicInteger();
    /** Set while the blocking poll is in, or about to enter, its wait. */
    private volatile boolean waiting;

    /** The backend for this OS over the C library, or over {@code -Dnetpoll.kqueue.library}. */
    public KqueuePoller() throws IOException {
        this(KqueuePlatform.detect(System.getProperty("os.name", ""), System.getProperty("os.version", ""),
                KqueueNative.libraryOverride()));
    }

    private KqueuePoller(KqueuePlatform platform) throws IOException {
        this(KqueueNative.load(), platform, KqueueNative.libraryOverride(), KqueueNative.libraryOverride(),
                KqueueNative.libraryOverride());
    }

    /** A backend for a kernel kqueue, or a library whose wait does not hold the queue's lock. */
    public KqueuePoller(KqueueSyscalls sys, KqueuePlatform platform, boolean deleteOnClose) throws IOException {
        this(sys, platform, deleteOnClose, false, false);
    }

    /** A backend for a kernel kqueue, or a library that keeps what does not fit the event list. */
    public KqueuePoller(KqueueSyscalls sys, KqueuePlatform platform, boolean deleteOnClose, boolean waitHoldsLock)
            throws IOException {
        this(sys, platform, deleteOnClose, waitHoldsLock, false);
    }

    /**
     * Go's netpollinit: the kqueue and its wakeup, an EVFILT_USER knote or, with
     * {@code waitHoldsLock}, the wake channel; {@code losesOverflow} for a library that drops the
     * events that do not fit the event list (see the class comment for all three).
     */
    public KqueuePoller(KqueueSyscalls sys, KqueuePlatform platform, boolean deleteOnClose, boolean waitHoldsLock,
            boolean losesOverflow) throws IOException {
        this.sys = sys;
        this.p = platform;
        this.layout = platform.layout;
        this.deleteOnClose = deleteOnClose;
        this.waitHoldsLock = waitHoldsLock;
        this.losesOverflow = losesOverflow;
        blockingEvents = new Memory((long) MAX_EVENTS * layout.size());
        nonBlockingEvents = new Memory((long) MAX_EVENTS * layout.size());
        blockingEventsAddr = Pointer.nativeValue(blockingEvents);
        nonBlockingEventsAddr = Pointer.nativeValue(nonBlockingEvents);
        trigger = new Memory(layout.size());
        triggerAddr = Pointer.nativeValue(trigger);
        layout.put(trigger, 0, WAKEUP_IDENT, p.evfiltUser, p.evEnable, p.noteTrigger, 0, 0);
        drain = new Memory(layout.size());
        layout.put(drain, 0, WAKEUP_IDENT, p.evfiltUser, p.evDisable, 0, 0, 0);

        kq = sys.kqueue();
        if (kq < 0) {
            throw error("kqueue", sys.errno());
        }
        if (!waitHoldsLock) {
            wakeRead = -1;
            wakeWrite = -1;
            try (Memory add = new Memory(layout.size())) {
                layout.put(add, 0, WAKEUP_IDENT, p.evfiltUser, p.evAdd, 0, 0, 0);
                int errno = change(add, 1);
                if (errno != 0) {
                    sys.close(kq);
                    throw error("kevent(EVFILT_USER)", errno);
                }
            }
            return;
        }
        int[] sv = new int[2];
        if (sys.wakeChannel(sv) < 0) {
            int errno = sys.errno();
            sys.close(kq);
            throw error("socketpair (wake channel)", errno);
        }
        wakeRead = sv[0];
        wakeWrite = sv[1];
        try (Memory add = new Memory(layout.size())) {
            layout.put(add, 0, wakeRead, p.evfiltRead, p.evAdd | p.evClear, 0, 0, 0);
            int errno = change(add, 1);
            if (errno != 0) {
                sys.close(kq);
                sys.close(wakeRead);
                sys.close(wakeWrite);
                throw error("kevent(EV_ADD) of the wake channel", errno);
            }
        }
    }

    @Override
    public String name() {
        return "kqueue";
    }

    /** Go's netpollopen. */
    @Override
    public void open(int fd, PollDesc pd) throws IOException {
        long token = pd.token();
        register(fd, token); // before any edge of it can be lost
        try (Memory changes = new Memory(2L * layout.size())) {
            layout.put(changes, 0, fd, p.evfiltRead, p.evAdd | p.evClear, 0, 0, token);
            layout.put(changes, 1, fd, p.evfiltWrite, p.evAdd | p.evClear, 0, 0, token);
            int errno = change(changes, 2);
            if (errno != 0) {
                register(fd, 0);
                throw error("kevent(EV_ADD)", errno);
            }
        }
    }

    /** Go's netpollclose (a no-op there, as here on a BSD kernel). */
    @Override
    public void close(int fd) {
        register(fd, 0);
        if (!deleteOnClose) {
            return;
        }
        try (Memory del = new Memory(layout.size())) {
            delete(del, fd, p.evfiltRead);
            delete(del, fd, p.evfiltWrite);
        }
    }

    /** With {@link #losesOverflow}: records {@code token} (0: none) for {@code fd}. */
    private void register(int fd, long token) {
        if (!losesOverflow) {
            return;
        }
        synchronized (registrationsLock) {
            AtomicLongArray r = registrations;
            if (fd >= r.length()) {
                if (token == 0) {
                    return;
                }
                AtomicLongArray grown = new AtomicLongArray(Math.max(fd + 1, 2 * r.length()));
                for (int i = 0; i < r.length(); i++) {
                    grown.set(i, r.get(i));
                }
                registrations = grown;
                r = grown;
            }
            r.set(fd, token);
        }
    }

    /** EV_DELETEs one filter in its own kevent call; see the class comment for the errors. */
    private void delete(Memory del, int fd, int filter) {
        layout.put(del, 0, fd, filter, p.evDelete, 0, 0, 0);
        int errno = change(del, 1);
        if (errno == 0 || errno == p.enoent || errno == p.ebadf) {
            return;
        }
        System.getLogger(Netpoll.LOGGER).log(System.Logger.Level.WARNING,
                "kevent(EV_DELETE) of fd " + fd + " filter " + filter + " failed: errno " + errno);
    }

    /** Submits {@code n} changes without collecting events; returns 0 or the errno. */
    private int change(Pointer changes, int n) {
        for (;;) {
            if (kevent(Pointer.nativeValue(changes), n, 0, 0, 0) >= 0) {
                return 0;
            }
            int errno = sys.errno();
            if (errno != p.eintr) {
                return errno;
            }
        }
    }

    /** Go's netpoll(delay). */
    @Override
    public int poll(long timeoutNanos, boolean blocking, ReadySink sink) {
        // hot path: no allocation
        Memory events = blocking ? blockingEvents : nonBlockingEvents;
        long eventsAddr = blocking ? blockingEventsAddr : nonBlockingEventsAddr;
        long ts = 0;
        if (timeoutNanos >= 0) {
            Memory t = blocking ? blockingTimeout : nonBlockingTimeout;
            long seconds = Math.min(timeoutNanos / NANOS_PER_SECOND, MAX_WAIT_SECONDS);
            t.setLong(0, seconds);
            t.setLong(8, seconds == MAX_WAIT_SECONDS ? 0 : timeoutNanos % NANOS_PER_SECOND);
            ts = blocking ? blockingTimeoutAddr : nonBlockingTimeoutAddr;
        }
        int n;
        while ((n = blocking && waitHoldsLock ? waitAlone(eventsAddr, ts) : kevent(0, 0, eventsAddr, MAX_EVENTS, ts)) < 0) {
            int errno = sys.errno();
            if (errno != p.eintr) {
                throw new IllegalStateException("kevent wait failed: errno " + errno);
            }
            if (timeoutNanos > 0) {
                return 0;
            }
        }
        int reported = 0;
        for (int i = 0; i < n; i++) {
            int filter = layout.filter(events, i);
            if (filter == p.evfiltUser) {
                if (layout.ident(events, i) == WAKEUP_IDENT && timeoutNanos != 0) {
                    change(drain, 1);
                    wakeSig.set(0);
                }
                continue;
            }
            if (waitHoldsLock && filter == p.evfiltRead && layout.ident(events, i) == wakeRead) {
                wakeChannelFired(timeoutNanos);
                continue;
            }
            int bits;
            if (filter == p.evfiltRead) {
                bits = READ;
            } else if (filter == p.evfiltWrite) {
                bits = WRITE;
            } else {
                continue;
            }
            int flags = layout.flags(events, i);
            if ((flags & p.evEof) != 0) {
                int errno = layout.fflags(events, i) & 0xffff;
                if (bits == READ || errno != 0) {
                    bits = READ | WRITE | HANGUP | (errno << ERRNO_SHIFT);
                }
            }
            if (flags == p.evError) {
                bits = ERROR;
            }
            sink.ready(layout.udata(events, i), bits);
            reported++;
        }
        if (n == MAX_EVENTS && losesOverflow) {
            reported += reportEveryRegistration(timeoutNanos, sink);
        }
        return reported;
    }

    /** The wake channel's read edge (see the class comment on {@code waitHoldsLock}). */
    private void wakeChannelFired(long timeoutNanos) {
        if (timeoutNanos == 0) {
            // EV_CLEAR reset the knote as it was returned here: a new byte gives the blocking poll
            // the wakeup may have been meant for an edge of its own.
            kick();
            return;
        }
        // Drain, then clear: a wakeup that lands in between is folded into this one, which ends
        // this poll anyway (as Go clears netpollWakeSig after reading).
        while (sys.read(wakeRead, wakeDrainAddr, WAKE_DRAIN) > 0) {
            // more bytes than the buffer holds: read again
        }
        wakeSig.set(0);
    }

    /**
     * After a full event list from a library that drops what did not fit: every registered
     * descriptor is reported readable and writable, and the wake channel as fired, since any of
     * their edges may have been the one dropped. Returns the number reported.
     */
    private int reportEveryRegistration(long timeoutNanos, ReadySink sink) {
        if (waitHoldsLock) {
            wakeChannelFired(timeoutNanos);
        }
        AtomicLongArray r = registrations;
        int reported = 0;
        for (int fd = 0; fd < r.length(); fd++) {
            long token = r.get(fd);
            if (token != 0) {
                sink.ready(token, READ | WRITE);
                reported++;
            }
        }
        return reported;
    }

    /**
     * Every kevent call but the blocking poll's wait. With {@link #waitHoldsLock} it announces
     * itself and kicks a wait in progress, so that the wait ends and releases the queue's lock.
     */
    private int kevent(long changes, int nchanges, long events, int nevents, long ts) {
        if (!waitHoldsLock) {
            return sys.kevent(kq, changes, nchanges, events, nevents, ts);
        }
        callers.incrementAndGet();
        try {
            if (waiting) {
                kick();
            }
            return sys.kevent(kq, changes, nchanges, events, nevents, ts);
        } finally {
            callers.decrementAndGet();
        }
    }

    /**
     * The blocking poll's wait with {@link #waitHoldsLock}: started only while no other kevent
     * call is announced (they pass first, which takes them microseconds once no wait holds the
     * lock), and ended early by the kick of one that arrives during it.
     */
    private int waitAlone(long eventsAddr, long ts) {
        for (;;) {
            waiting = true;
            if (callers.get() == 0) {
                try {
                    return sys.kevent(kq, 0, 0, eventsAddr, MAX_EVENTS, ts);
                } finally {
                    waiting = false;
                }
            }
            waiting = false;
            while (callers.get() != 0) {
                Thread.yield();
            }
        }
    }

    /** A byte on the wake channel: it ends the wait in progress, or the next one. */
    private void kick() {
        for (;;) {
            if (sys.write(wakeWrite, wakeByteAddr, 1) >= 0) {
                return;
            }
            int errno = sys.errno();
            if (errno == EAGAIN_LINUX) {
                return; // the channel is full of unread bytes: the wait ends anyway
            }
            if (errno != p.eintr) {
                throw new IllegalStateException("wake channel write failed: errno " + errno);
            }
        }
    }

    /** Go's netpollBreak. */
    @Override
    public void wakeup() {
        if (wakeSig.get() != 0 || !wakeSig.compareAndSet(0, 1)) {
            return;
        }
        if (waitHoldsLock) {
            kick();
            wakeupWrites.incrementAndGet();
            return;
        }
        for (;;) {
            if (sys.kevent(kq, triggerAddr, 1, 0, 0, 0) >= 0) {
                wakeupWrites.incrementAndGet();
                return;
            }
            int errno = sys.errno();
            if (errno != p.eintr) {
                throw new IllegalStateException("kevent(NOTE_TRIGGER) failed: errno " + errno);
            }
        }
    }

    @Override
    public long wakeupWrites() {
        return wakeupWrites.get();
    }

    @Override
    public void close() {
        sys.close(kq);
        if (waitHoldsLock) {
            sys.close(wakeRead);
            sys.close(wakeWrite);
        }
    }

    private static IOException error(String op, int errno) {
        return new SocketException(op + " failed: errno " + errno);
    }
}
