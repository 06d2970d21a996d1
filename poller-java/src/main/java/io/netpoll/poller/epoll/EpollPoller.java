package io.netpoll.poller.epoll;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.netpoll.poller.PollDesc;
import io.netpoll.poller.Poller;
import io.netpoll.poller.ReadySink;
import io.netpoll.poller.sys.Errno;
import io.netpoll.poller.sys.LinuxCalls;
import io.netpoll.poller.sys.NativeLayer;
import io.netpoll.poller.sys.PosixCalls;
import io.netpoll.poller.sys.Sys;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Linux backend (Go's netpoll_epoll.go).
 *
 * <p>Each fd is added once with {@code EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLET}: edge-triggered, so the
 * kernel reports a transition once and the {@link PollDesc} slot remembers it (READY) until a
 * caller consumes it. The event's 64-bit data is the descriptor's token (id, fdseq).
 *
 * <p>Wakeup is an eventfd registered level-triggered under a reserved token. {@code wakeSig} is
 * the coalescing flag (Go's netpollWakeSig): only the caller that moves it 0→1 writes the eventfd.
 * Only a poll that may wait ({@code timeoutNanos != 0}) reads the eventfd and clears the flag: a
 * non-blocking poll can see a wakeup meant for the thread blocked in epoll_wait, and consuming it
 * there would leave that thread asleep with the flag still set, so no later wakeup would write
 * either. Level-triggered, the unread eventfd stays ready for the blocked poll (as in Go's netpoll).
 *
 * <p>Mapping (as Go): IN, RDHUP, HUP or ERR → read ready; OUT, HUP or ERR → write ready; ERR
 * alone → {@link Poller#ERROR}. Timeouts are rounded up to whole milliseconds, never down.
 * EINTR ends a timed poll with no events (the caller re-plans its timeout); a forever or
 * non-blocking poll retries, so a signal never ends a wait that has no other way to end.
 *
 * <p>Threading: see {@link Poller}. The blocking and the non-blocking poll each own an event array
 * allocated once here; epoll_ctl is thread-safe in the kernel. The calls go through the process's
 * native binding ({@link NativeLayer}: JNA or FFM).
 */
public final class EpollPoller implements Poller {
    static final long WAKEUP_TOKEN = -1L;
    private static final int MAX_EVENTS = 128;
    private static final long NANOS_PER_MILLI = 1_000_000L;
    /** epoll_wait's timeout is an int of milliseconds; longer waits are capped (then re-polled). */
    private static final long MAX_TIMEOUT_MILLIS = Integer.MAX_VALUE;

    private final PosixCalls c = NativeLayer.posix();
    private final LinuxCalls linux = NativeLayer.linux();
    private final int epfd;
    private final int eventfd;
    // Direct buffers, read with ByteBuffer's intrinsic accessors: a JNA Memory read is a JNI call per field.
    private final ByteBuffer blockingEvents = eventArray();
    private final ByteBuffer nonBlockingEvents = eventArray();
    private final long blockingEventsAddr = Pointer.nativeValue(Native.getDirectBufferPointer(blockingEvents));
    private final long nonBlockingEventsAddr = Pointer.nativeValue(Native.getDirectBufferPointer(nonBlockingEvents));
    private final Memory wakeBuf = new Memory(8);
    private final long wakeBufAddr = Pointer.nativeValue(wakeBuf);
    private final Memory drainBuf = new Memory(8);
    private final long drainBufAddr = Pointer.nativeValue(drainBuf);
    private final AtomicInteger wakeSig = new AtomicInteger();
    private final AtomicLong wakeupWrites = new AtomicLong();

    public EpollPoller() throws IOException {
        epfd = linux.epoll_create1(Sys.EPOLL_CLOEXEC);
        if (epfd < 0) {
            throw Errno.exception("epoll_create1", -epfd);
        }
        eventfd = linux.eventfd(0, Sys.EFD_NONBLOCK | Sys.EFD_CLOEXEC);
        if (eventfd < 0) {
            c.close(epfd);
            throw Errno.exception("eventfd", -eventfd);
        }
        wakeBuf.setLong(0, 1);
        int r = ctl(Sys.EPOLL_CTL_ADD, eventfd, Sys.EPOLLIN, WAKEUP_TOKEN);
        if (r < 0) {
            c.close(eventfd);
            c.close(epfd);
            throw Errno.exception("epoll_ctl", -r);
        }
    }

    private static ByteBuffer eventArray() {
        return ByteBuffer.allocateDirect(MAX_EVENTS * Sys.EPOLL_EVENT_SIZE).order(ByteOrder.nativeOrder());
    }

    @Override
    public String name() {
        return "epoll";
    }

    @Override
    public void open(int fd, PollDesc pd) throws IOException {
        int events = Sys.EPOLLIN | Sys.EPOLLOUT | Sys.EPOLLRDHUP | Sys.EPOLLET;
        int r = ctl(Sys.EPOLL_CTL_ADD, fd, events, pd.token());
        if (r < 0) {
            throw Errno.exception("epoll_ctl", -r);
        }
    }

    @Override
    public void close(int fd) {
        // Errors are irrelevant: the fd is about to be closed, which removes it anyway.
        ctl(Sys.EPOLL_CTL_DEL, fd, 0, 0);
    }

    private int ctl(int op, int fd, int events, long token) {
        try (Memory ev = new Memory(Sys.EPOLL_EVENT_SIZE)) {
            ev.setInt(0, events);
            ev.setLong(Sys.EPOLL_EVENT_DATA_OFFSET, token);
            return linux.epoll_ctl(epfd, op, fd, Pointer.nativeValue(ev));
        }
    }

    @Override
    public int poll(long timeoutNanos, boolean blocking, ReadySink sink) {
        // hot path: no allocation
        int timeoutMillis = toMillis(timeoutNanos);
        long buf = blocking ? blockingEventsAddr : nonBlockingEventsAddr;
        ByteBuffer mem = blocking ? blockingEvents : nonBlockingEvents;
        int n;
        while ((n = linux.epoll_wait(epfd, buf, MAX_EVENTS, timeoutMillis)) < 0) {
            int errno = -n;
            if (errno != Errno.EINTR) {
                throw new IllegalStateException("epoll_wait failed: " + Errno.text(errno) + " (errno " + errno + ")");
            }
            if (timeoutMillis > 0) {
                return 0;
            }
        }
        int reported = 0;
        for (int i = 0; i < n; i++) {
            int off = i * Sys.EPOLL_EVENT_SIZE;
            int ev = mem.getInt(off);
            long token = mem.getLong(off + Sys.EPOLL_EVENT_DATA_OFFSET);
            if (token == WAKEUP_TOKEN) {
                if (timeoutNanos != 0) {
                    c.read(eventfd, drainBufAddr, 8);
                    wakeSig.set(0);
                }
                continue;
            }
            int bits = readiness(ev);
            if (bits != 0) {
                sink.ready(token, bits);
                reported++;
            }
        }
        return reported;
    }

    /**
     * The {@link Poller} readiness bits for one epoll event mask (the mapping in the class comment);
     * also io_uring's poll masks, which use epoll's bit values.
     */
    public static int readiness(int ev) {
        if (ev == Sys.EPOLLERR) {
            return ERROR;
        }
        int bits = 0;
        if ((ev & (Sys.EPOLLIN | Sys.EPOLLRDHUP | Sys.EPOLLHUP | Sys.EPOLLERR)) != 0) {
            bits |= READ;
        }
        if ((ev & (Sys.EPOLLRDHUP | Sys.EPOLLHUP | Sys.EPOLLERR)) != 0) {
            bits |= HANGUP;
        }
        if ((ev & (Sys.EPOLLOUT | Sys.EPOLLHUP | Sys.EPOLLERR)) != 0) {
            bits |= WRITE;
        }
        return bits;
    }

    static int toMillis(long timeoutNanos) {
        if (timeoutNanos < 0) {
            return -1;
        }
        if (timeoutNanos == 0) {
            return 0;
        }
        long ms = timeoutNanos / NANOS_PER_MILLI + (timeoutNanos % NANOS_PER_MILLI != 0 ? 1 : 0);
        return (int) Math.min(ms, MAX_TIMEOUT_MILLIS);
    }

    @Override
    public void wakeup() {
        if (wakeSig.get() != 0 || !wakeSig.compareAndSet(0, 1)) {
            return;
        }
        for (;;) {
            long n = c.write(eventfd, wakeBufAddr, 8);
            if (n == 8) {
                wakeupWrites.incrementAndGet();
                return;
            }
            int errno = (int) -n;
            if (errno == Errno.EINTR) {
                continue;
            }
            if (errno == Errno.EAGAIN) {
                // Counter saturated: a wakeup is already pending.
                return;
            }
            throw new IllegalStateException("eventfd write failed: " + Errno.text(errno));
        }
    }

    @Override
    public long wakeupWrites() {
        return wakeupWrites.get();
    }

    @Override
    public void close() {
        c.close(eventfd);
        c.close(epfd);
    }
}
