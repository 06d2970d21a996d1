package io.netpoll.poller.kqueue;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.poller.PollDesc;
import io.netpoll.poller.Poller;
import io.netpoll.poller.ReadySink;

import java.io.IOException;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

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
 *       the error.</li>
 *   <li>{@code flags == EV_ERROR} exactly (a knote that failed) → {@link Poller#ERROR} alone.</li>
 * </ul>
 * Readiness may be spurious (one kernel edge can surface on both filters); callers retry their
 * syscall after every wake and treat EAGAIN as "wait again", so this is harmless.
 *
 * <h2>Wakeup (Go's netpollBreak)</h2>
 * One EVFILT_USER knote, ident {@link #WAKEUP_IDENT}, added with EV_CLEAR; {@link #wakeup} fires it
 * with NOTE_TRIGGER. A trigger overwrites the knote's {@code udata} on some implementations, so the
 * wakeup is recognised by filter and ident, never by udata. {@code wakeSig} coalesces: only the
 * caller moving it 0→1 makes the kevent call; the poller clears it when the wakeup event arrives.
 *
 * <h2>Close</h2>
 * A BSD kernel drops an fd's knotes when the fd is closed, so {@link #close(int)} need do nothing
 * there. libkqueue does not: the registrations outlive the fd and a later fd with the same number
 * never gets events. With {@code deleteOnClose} (always set when a library override is in use),
 * {@link #close(int)} EV_DELETEs both filters first, one kevent call each: a failing change ends
 * its call, and the other filter must still go. ENOENT and EBADF mean there was nothing left to
 * delete and are ignored. Any other errno is unexpected and becomes an {@link IllegalStateException}
 * like the backend's other kevent failures, but it is handed to the calling thread's
 * uncaught-exception handler instead of thrown: close must run to the end, or its caller would
 * leak the fd and the {@code PollDesc}.
 *
 * <h2>Timeouts and threads</h2>
 * Timeouts are a {@code struct timespec} (nanosecond resolution, capped at {@link #MAX_WAIT_SECONDS}
 * because Darwin rejects longer waits with EINVAL; the caller then simply polls again). EINTR ends a
 * poll with no events and is retried by the other calls. The blocking and the non-blocking poll each
 * own an event array and a timespec allocated here; open/close/wakeup are thread-safe in the kernel.
 */
public final class KqueuePoller implements Poller {
    static final long WAKEUP_IDENT = 0;
    static final int MAX_EVENTS = 128;
    static final long MAX_WAIT_SECONDS = 1_000_000L;
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
    /** The NOTE_TRIGGER change, written once: every wakeup submits the same bytes. */
    private final Memory trigger;
    private final long triggerAddr;
    private final AtomicInteger wakeSig = new AtomicInteger();
    private final AtomicLong wakeupWrites = new AtomicLong();

    /** The backend for this OS over the C library, or over {@code -Dnetpoll.kqueue.library}. */
    public KqueuePoller() throws IOException {
        this(KqueuePlatform.detect(System.getProperty("os.name", ""), System.getProperty("os.version", ""),
                KqueueNative.libraryOverride()));
    }

    private KqueuePoller(KqueuePlatform platform) throws IOException {
        this(KqueueNative.load(), platform, KqueueNative.libraryOverride());
    }

    /** Go's netpollinit: the kqueue and its EVFILT_USER wakeup knote. */
    public KqueuePoller(KqueueSyscalls sys, KqueuePlatform platform, boolean deleteOnClose) throws IOException {
        this.sys = sys;
        this.p = platform;
        this.layout = platform.layout;
        this.deleteOnClose = deleteOnClose;
        blockingEvents = new Memory((long) MAX_EVENTS * layout.size());
        nonBlockingEvents = new Memory((long) MAX_EVENTS * layout.size());
        blockingEventsAddr = Pointer.nativeValue(blockingEvents);
        nonBlockingEventsAddr = Pointer.nativeValue(nonBlockingEvents);
        trigger = new Memory(layout.size());
        triggerAddr = Pointer.nativeValue(trigger);
        layout.put(trigger, 0, WAKEUP_IDENT, p.evfiltUser, 0, p.noteTrigger, 0, 0);

        kq = sys.kqueue();
        if (kq < 0) {
            throw error("kqueue", sys.errno());
        }
        try (Memory add = new Memory(layout.size())) {
            layout.put(add, 0, WAKEUP_IDENT, p.evfiltUser, p.evAdd | p.evClear, 0, 0, 0);
            int errno = change(add, 1);
            if (errno != 0) {
                sys.close(kq);
                throw error("kevent(EVFILT_USER)", errno);
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
        try (Memory changes = new Memory(2L * layout.size())) {
            layout.put(changes, 0, fd, p.evfiltRead, p.evAdd | p.evClear, 0, 0, token);
            layout.put(changes, 1, fd, p.evfiltWrite, p.evAdd | p.evClear, 0, 0, token);
            int errno = change(changes, 2);
            if (errno != 0) {
                throw error("kevent(EV_ADD)", errno);
            }
        }
    }

    /** Go's netpollclose (a no-op there, as here on a BSD kernel). */
    @Override
    public void close(int fd) {
        if (!deleteOnClose) {
            return;
        }
        try (Memory del = new Memory(layout.size())) {
            delete(del, fd, p.evfiltRead);
            delete(del, fd, p.evfiltWrite);
        }
    }

    /** EV_DELETEs one filter in its own kevent call; see the class comment for the errors. */
    private void delete(Memory del, int fd, int filter) {
        layout.put(del, 0, fd, filter, p.evDelete, 0, 0, 0);
        int errno = change(del, 1);
        if (errno == 0 || errno == p.enoent || errno == p.ebadf) {
            return;
        }
        Thread self = Thread.currentThread();
        self.getUncaughtExceptionHandler().uncaughtException(self,
                new IllegalStateException("kevent(EV_DELETE) of fd " + fd + " filter " + filter + " failed: errno " + errno));
    }

    /** Submits {@code n} changes without collecting events; returns 0 or the errno. */
    private int change(Pointer changes, int n) {
        for (;;) {
            if (sys.kevent(kq, Pointer.nativeValue(changes), n, 0, 0, 0) >= 0) {
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
        int n = sys.kevent(kq, 0, 0, eventsAddr, MAX_EVENTS, ts);
        if (n < 0) {
            int errno = sys.errno();
            if (errno == p.eintr) {
                return 0;
            }
            throw new IllegalStateException("kevent wait failed: errno " + errno);
        }
        int reported = 0;
        for (int i = 0; i < n; i++) {
            int filter = layout.filter(events, i);
            if (filter == p.evfiltUser) {
                if (layout.ident(events, i) == WAKEUP_IDENT) {
                    wakeSig.set(0);
                }
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
            if ((flags & p.evEof) != 0 && (bits == READ || layout.fflags(events, i) != 0)) {
                bits = READ | WRITE | HANGUP;
            }
            if (flags == p.evError) {
                bits = ERROR;
            }
            sink.ready(layout.udata(events, i), bits);
            reported++;
        }
        return reported;
    }

    /** Go's netpollBreak. */
    @Override
    public void wakeup() {
        if (wakeSig.get() != 0 || !wakeSig.compareAndSet(0, 1)) {
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
    }

    private static IOException error(String op, int errno) {
        return new SocketException(op + " failed: errno " + errno);
    }
}
