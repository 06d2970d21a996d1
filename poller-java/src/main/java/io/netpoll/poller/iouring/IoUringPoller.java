package io.netpoll.poller.iouring;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.poller.PollDesc;
import io.netpoll.poller.Poller;
import io.netpoll.poller.ReadySink;
import io.netpoll.poller.epoll.EpollPoller;
import io.netpoll.poller.sys.Errno;
import io.netpoll.poller.sys.Sys;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Linux backend over io_uring used as a readiness source: the same edge-triggered protocol as
 * {@code EpollPoller}, so {@link PollDesc} and NetFD above are unchanged (docs/io_uring.md says
 * why readiness first, and what completion-based I/O would add).
 *
 * <h2>Protocol</h2>
 * <ul>
 *   <li>{@link #open}: one multishot IORING_OP_POLL_ADD per descriptor for
 *       {@code POLLIN|POLLOUT|POLLRDHUP}, with the descriptor's token as {@code user_data}.
 *       Multishot poll is edge-triggered unless asked to be level-triggered: each wake-up of the
 *       socket that matches the mask posts one CQE whose {@code res} is the mask (epoll's bit
 *       values), and the request stays armed while the CQE carries IORING_CQE_F_MORE.</li>
 *   <li>A CQE without F_MORE ends the request (an error, or a completion the kernel could not
 *       post). If the registration is still live, it is armed again and both directions are
 *       reported, since an edge may have been lost in between: spurious readiness, which the
 *       protocol allows (the caller meets EAGAIN and waits again).</li>
 *   <li>{@link #close}: IORING_OP_POLL_REMOVE for the token. The request holds a reference to the
 *       file, so the socket is released only once the removal is done; closing the fd alone would
 *       leave it open. The cancelled request's last CQE (-ECANCELED) finds the registration gone
 *       and is dropped; tokens carry fdseq, so nothing stale reaches a reused descriptor.</li>
 *   <li>{@link #wakeup}: an IORING_OP_NOP with {@link #WAKEUP_TOKEN}, coalesced by
 *       {@code wakeSig} (Go's netpollWakeSig). A reaped CQE is gone, so a non-blocking poll that
 *       takes it clears {@code wakeSig} and posts it again, as the IOCP backend does; only a poll
 *       that may wait consumes it.</li>
 *   <li>{@link #poll}: completions already in the CQ are reaped without a system call, so a
 *       non-blocking poll costs none unless the kernel flags an overflow backlog. A poll that must
 *       wait calls io_uring_enter(GETEVENTS, min_complete 1) with its timeout as a timespec
 *       (IORING_ENTER_EXT_ARG): nanosecond resolution, so nothing is rounded. EINTR ends a timed
 *       poll with no events and is retried by a forever one; -ETIME is the timeout.</li>
 * </ul>
 * The mask maps to readiness bits as on epoll (Go's mapping): IN, RDHUP, HUP or ERR → read; OUT,
 * HUP or ERR → write; RDHUP, HUP or ERR → hang-up. Except ERR alone: epoll reports a fresh poll of
 * the socket, where ERR alone means the descriptor cannot be polled ({@link Poller#ERROR}), but a
 * multishot poll may post the mask its wake-up carried, and a socket error (a reset) wakes with
 * POLLERR alone before the poll that would add IN and HUP. So here ERR alone is a pending socket
 * error, reported as read, write and hang-up, and the read or write names it.
 *
 * <h2>Threads and locks</h2>
 * Submissions (open, close, wakeup, re-arm) hold {@code sqLock} from writing the SQE to the
 * io_uring_enter that submits it, so each caller submits exactly its own entry; the registry
 * (token per fd, fd per PollDesc id) is guarded by it too. Reaping holds {@code cqLock}, since the
 * blocking and a non-blocking poll may run at once; the wait itself holds no lock. Order: cqLock,
 * then sqLock (a re-arm or a re-posted wakeup during a reap), never the other way round.
 *
 * <p>A poll request's completions are posted by task work on the thread that submitted it
 * (without IORING_SETUP_DEFER_TASKRUN, which would allow only one submitting thread): the kernel
 * signals that thread to run it. Submitting threads here are whichever called {@link #open}; see
 * docs/io_uring.md for what that costs.
 */
public final class IoUringPoller implements Poller {
    static final long WAKEUP_TOKEN = -1L;
    /**
     * The {@code user_data} of a POLL_REMOVE is its target's token with this bit set (a token's
     * PollDesc id is never negative), so its completion names what it was removing.
     */
    static final long REMOVAL = 1L << 63;
    private static final int EALREADY = 114;
    /** Submission slots: every submission is entered at once, so few are ever in use. */
    static final int SQ_ENTRIES = 64;
    /** Completion slots: multishot polls post one per edge, so the CQ is sized for bursts. */
    static final int CQ_ENTRIES = 4096;
    static final int IORING_POLL_ADD_MULTI = 1;
    static final int POLL_MASK = Sys.EPOLLIN | Sys.EPOLLOUT | Sys.EPOLLRDHUP;
    /** struct io_uring_getevents_arg (24 bytes), then the struct __kernel_timespec it points to. */
    private static final int ARG_SIZE = 24;
    private static final int ARG_TS = 16;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final Ring ring;
    private final Object sqLock = new Object();
    private final Object cqLock = new Object();
    private final Memory waitArg = new Memory(ARG_SIZE + 16);
    private final long waitArgAddr = Pointer.nativeValue(waitArg);

    // guarded by sqLock
    private long[] tokenByFd = new long[256];
    private int[] fdById = new int[256];

    private final AtomicInteger wakeSig = new AtomicInteger();
    private final AtomicLong wakeupWrites = new AtomicLong();

    /**
     * Sets up the ring and checks the kernel ({@link Probe}).
     *
     * @throws IllegalStateException naming what this kernel lacks, or why io_uring is unavailable
     */
    public IoUringPoller() throws IOException {
        ring = Ring.setup(SQ_ENTRIES, CQ_ENTRIES);
        try {
            Probe.check(System.getProperty("os.version", "unknown"), ring.features, ring.supportedOpcodes());
        } catch (RuntimeException e) {
            ring.close();
            throw e;
        }
        waitArg.clear();
        waitArg.setLong(ARG_TS, waitArgAddr + ARG_SIZE);
    }

    @Override
    public String name() {
        return "io_uring";
    }

    @Override
    public void open(int fd, PollDesc pd) throws IOException {
        long token = pd.token();
        int id = (int) (token >>> 32);
        synchronized (sqLock) {
            if (fd >= tokenByFd.length) {
                tokenByFd = Arrays.copyOf(tokenByFd, Math.max(tokenByFd.length * 2, fd + 1));
            }
            if (id >= fdById.length) {
                fdById = Arrays.copyOf(fdById, Math.max(fdById.length * 2, id + 1));
            }
            int errno = submit(Probe.IORING_OP_POLL_ADD, fd, 0, IORING_POLL_ADD_MULTI, POLL_MASK, token);
            if (errno != 0) {
                throw Errno.exception("io_uring_enter(POLL_ADD)", errno);
            }
            tokenByFd[fd] = token;
            fdById[id] = fd;
        }
    }

    @Override
    public void close(int fd) {
        synchronized (sqLock) {
            long token = fd < tokenByFd.length ? tokenByFd[fd] : 0;
            if (token == 0) {
                return;
            }
            tokenByFd[fd] = 0;
            remove(token);
        }
    }

    /**
     * Submits the POLL_REMOVE for {@code token}; caller holds sqLock. A removal that cannot be
     * submitted is not reported (as epoll_ctl(DEL) is not): the caller is closing the descriptor.
     */
    private void remove(long token) {
        submit(Probe.IORING_OP_POLL_REMOVE, -1, token, 0, 0, token | REMOVAL);
    }

    /** True if {@code token} is the live registration of its descriptor; caller holds sqLock. */
    private boolean live(long token) {
        int id = (int) (token >>> 32);
        if (id < 0 || id >= fdById.length) {
            return false;
        }
        int fd = fdById[id];
        return fd < tokenByFd.length && tokenByFd[fd] == token;
    }

    /**
     * Writes one SQE and submits it; returns 0 or the errno of a failed submission. Caller holds
     * sqLock. Every submission is entered at once, so the SQ is full only if the kernel failed to
     * consume an earlier entry: that is an EBUSY.
     */
    private int submit(int opcode, int fd, long addr, int len, int opFlags, long userData) {
        if (!ring.prepare(opcode, fd, addr, len, opFlags, userData)) {
            return Ring.EBUSY;
        }
        for (;;) {
            int n = ring.enter(1, 0, 0, 0, 0);
            if (n >= 0) {
                return 0;
            }
            int errno = -n;
            if (errno != Errno.EINTR) {
                return errno;
            }
        }
    }

    @Override
    public int poll(long timeoutNanos, boolean blocking, ReadySink sink) {
        // hot path: no allocation
        if (timeoutNanos == 0) {
            if ((ring.sqFlags() & (Ring.IORING_SQ_CQ_OVERFLOW | Ring.IORING_SQ_TASKRUN)) != 0) {
                ring.enter(0, 0, Ring.IORING_ENTER_GETEVENTS, 0, 0); // flush the kernel's backlog
            }
            return (int) reap(sink, false);
        }
        for (;;) {
            if (!hasCompletions()) {
                int r;
                if (timeoutNanos < 0) {
                    r = ring.enter(0, 1, Ring.IORING_ENTER_GETEVENTS, 0, 0);
                } else {
                    waitArg.setLong(ARG_SIZE, timeoutNanos / NANOS_PER_SECOND);
                    waitArg.setLong(ARG_SIZE + 8, timeoutNanos % NANOS_PER_SECOND);
                    r = ring.enter(0, 1, Ring.IORING_ENTER_GETEVENTS | Ring.IORING_ENTER_EXT_ARG, waitArgAddr, ARG_SIZE);
                }
                if (r < 0) {
                    int errno = -r;
                    if (errno == Ring.ETIME) {
                        return (int) reap(sink, true);
                    }
                    if (errno == Errno.EINTR) {
                        if (timeoutNanos > 0) {
                            return 0;
                        }
                        continue;
                    }
                    if (errno != Ring.EBUSY) {
                        throw new IllegalStateException("io_uring_enter failed: " + Errno.text(errno) + " (errno " + errno + ")");
                    }
                }
            }
            long reaped = reap(sink, true);
            // A forever poll returns for an event or a wakeup; if a concurrent non-blocking poll
            // took the completion that woke it, it waits again.
            if (reaped != 0 || timeoutNanos > 0) {
                return (int) reaped;
            }
        }
    }

    private boolean hasCompletions() {
        synchronized (cqLock) {
            return ring.cqReady() > 0;
        }
    }

    /**
     * Reaps every CQE in the ring: the number reported to {@code sink} in the low half, and in the
     * high half whether anything (a wakeup included) was reaped at all.
     */
    private long reap(ReadySink sink, boolean mayWait) {
        // hot path: no allocation
        synchronized (cqLock) {
            int n = ring.cqReady();
            int reported = 0;
            for (int i = 0; i < n; i++) {
                int cqe = ring.cqe(i);
                long token = ring.cqeUserData(cqe);
                int res = ring.cqeRes(cqe);
                int flags = ring.cqeFlags(cqe);
                if (token == WAKEUP_TOKEN) {
                    wakeSig.set(0);
                    if (!mayWait) {
                        wakeup();
                    }
                    continue;
                }
                if ((token & REMOVAL) != 0) {
                    if (res == -EALREADY) {
                        // The request had a wake-up in flight (its task work owned it), so it is
                        // still armed and still holds the socket open: remove it again.
                        synchronized (sqLock) {
                            remove(token & ~REMOVAL);
                        }
                    }
                    continue;
                }
                int bits = res > 0 ? readiness(res) : 0;
                if ((flags & Ring.IORING_CQE_F_MORE) == 0 && rearmIfLive(token)) {
                    bits |= READ | WRITE;
                }
                if (bits != 0) {
                    sink.ready(token, bits);
                    reported++;
                }
            }
            if (n > 0) {
                ring.cqAdvance(n);
            }
            return n > 0 ? (1L << 32) | reported : 0;
        }
    }

    /** The readiness bits of a completion's poll mask (see the class comment for ERR alone). */
    static int readiness(int mask) {
        return EpollPoller.readiness(mask == Sys.EPOLLERR ? Sys.EPOLLERR | Sys.EPOLLIN | Sys.EPOLLOUT : mask);
    }

    /** A multishot poll ended: arms it again if its registration is still live; true if so. */
    private boolean rearmIfLive(long token) {
        synchronized (sqLock) {
            if (!live(token)) {
                return false;
            }
            int fd = fdById[(int) (token >>> 32)];
            int errno = submit(Probe.IORING_OP_POLL_ADD, fd, 0, IORING_POLL_ADD_MULTI, POLL_MASK, token);
            if (errno != 0) {
                throw new IllegalStateException("io_uring_enter(POLL_ADD) failed re-arming fd " + fd + ": "
                        + Errno.text(errno) + " (errno " + errno + ")");
            }
            return true;
        }
    }

    /** Go's netpollBreak. */
    @Override
    public void wakeup() {
        if (wakeSig.get() != 0 || !wakeSig.compareAndSet(0, 1)) {
            return;
        }
        int errno;
        synchronized (sqLock) {
            errno = submit(Probe.IORING_OP_NOP, -1, 0, 0, 0, WAKEUP_TOKEN);
        }
        if (errno != 0) {
            wakeSig.set(0);
            throw new IllegalStateException("io_uring_enter(NOP) failed: " + Errno.text(errno) + " (errno " + errno + ")");
        }
        wakeupWrites.incrementAndGet();
    }

    @Override
    public long wakeupWrites() {
        return wakeupWrites.get();
    }

    @Override
    public void close() {
        ring.close();
    }
}
