package io.netpoll.poller.kqueue;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.poller.RealReadiness;
import io.netpoll.poller.sys.LibC;
import io.netpoll.poller.sys.LinuxLibC;
import io.netpoll.poller.sys.Sys;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An in-memory model of the kqueue kernel interface, driven by tests, so that {@link KqueuePoller}'s
 * translation logic runs on Linux. It decodes and encodes real {@code struct kevent} arrays in the
 * platform's layout, so the backend's byte-level encoding is exercised too.
 *
 * <h2>What it models</h2>
 * <ul>
 *   <li>Knotes keyed by (ident, filter) per queue; EV_ADD creates or updates one (and evaluates the
 *       filter at once, as a kernel does), EV_DELETE removes one or fails with ENOENT; a change
 *       naming an fd that is not open fails with EBADF. A failing change ends the call with -1
 *       (the backend never passes room for error receipts).</li>
 *   <li>Activation: new data on a read filter, a transition to writable on a write filter, EOF and
 *       socket errors on both ({@link #readerClosed}: EOF on the read filter alone, as the write
 *       end of a pipe sees it on some systems). With EV_CLEAR a returned knote is inactive until the next
 *       activation; without it, it stays active while its condition holds. A knote whose condition
 *       no longer holds when collected (the data was read meanwhile) is not returned.</li>
 *   <li>EVFILT_USER: EV_ADD, NOTE_TRIGGER (which overwrites udata with the trigger's, or with
 *       {@link #udataWrittenByTrigger} when set), EV_CLEAR reset on return; without EV_CLEAR a
 *       triggered knote is returned by every call. EV_DISABLE hides a knote, triggered or not,
 *       until EV_ENABLE.</li>
 *   <li>Descriptors: {@link #openFd} hands out the lowest free number, so numbers get reused. On
 *       close a BSD kernel drops the fd's knotes; with {@link #libkqueueCloseQuirk} they survive,
 *       stay bound to the old file, and the reused number never activates them.</li>
 *   <li>{@link #interruptNextCall} makes the next kevent call fail with EINTR; {@link #failChanges}
 *       makes the changes on one filter fail with a chosen errno.</li>
 *   <li>{@link #dropsWhatDoesNotFit}: as libkqueue's copyout, a wait that fills the event list
 *       deactivates every other knote it found active, so those edges are lost (a kernel keeps
 *       them for the next call). {@link #peerClosed} carries a reset's errno in fflags with EV_EOF;
 *       nothing in the model reads it back, as SO_ERROR reads 0 after libkqueue took it.</li>
 *   <li>{@link #deliver} has the next wait return an event with any udata (a late one);
 *       {@link #reportWriteWithEveryRead} makes readiness spurious, as kqueue may: every read edge
 *       returns the write filter too, even when the fd is not writable.</li>
 *   <li>{@link #waitHoldsLock}: every kevent call holds one lock for its whole length, wait
 *       included, so a second thread's call blocks until a waiting one returns, as libkqueue's
 *       kevent does (its issue #162). {@link #wakeChannel} gives a connected pair of model fds:
 *       {@link #write} on one end makes the other readable, {@link #read} drains it (EAGAIN when
 *       empty).</li>
 *   <li>{@link #overRealDescriptors}: knotes may name real Linux fds. Activations then come from
 *       an edge-triggered Linux epoll watching them, the current level from poll(2) and FIONREAD;
 *       a blocking wait re-samples every millisecond.</li>
 * </ul>
 */
public final class KqueueModel implements KqueueSyscalls {
    static final int EBADF = 9;
    static final int ENOENT = 2;
    static final int EINTR = 4;

    private final KqueuePlatform p;
    private final KeventLayout layout;
    private final Object lock = new Object();
    private final Map<Integer, List<Knote>> queues = new HashMap<>();
    private final Map<Integer, File> files = new HashMap<>();
    private final ThreadLocal<int[]> errno = ThreadLocal.withInitial(() -> new int[1]);
    private int nextKq = 1000;
    private boolean interruptNext;
    private int failingFilter;
    private int failingErrno;
    private boolean realDescriptors;
    private static final int REAL_EVENTS = 64;
    private int realEpfd = -1;
    private Memory realEvents;

    /** Set: every activation of a read filter also activates the fd's write filter, writable or not. */
    private volatile boolean writeWithEveryRead;
    /** Events {@link #deliver}ed and not yet returned: {ident, filter, udata}. */
    private final List<long[]> delivered = new ArrayList<>();

    /** Set: a wait that fills the event list loses the edges of the active knotes left over (libkqueue). */
    volatile boolean dropsWhatDoesNotFit;
    /** Edges lost so far by {@link #dropsWhatDoesNotFit}; guarded by lock. */
    int dropped;
    /** Set: knotes survive their fd's close (libkqueue). */
    volatile boolean libkqueueCloseQuirk;
    /** When non-zero, NOTE_TRIGGER stores this udata instead of the trigger's. */
    volatile long udataWrittenByTrigger;
    /** Set: a kevent call holds {@link #callLock} for its whole length, wait included (libkqueue). */
    volatile boolean waitHoldsLock;
    private final ReentrantLock callLock = new ReentrantLock();
    /** The wake channels: each end to the other. */
    private final Map<Integer, Integer> peers = new HashMap<>();
    static final int EAGAIN = 11;

    // observations for assertions, guarded by lock
    long lastTimeoutNanos = Long.MIN_VALUE;
    int keventCalls;
    int triggers;
    final List<String> changeLog = new ArrayList<>();

    KqueueModel(KqueuePlatform platform) {
        this.p = platform;
        this.layout = platform.layout;
    }

    /** A model whose knotes watch real Linux fds (for the PollDesc conformance suite). */
    public static KqueueModel overRealDescriptors(KqueuePlatform platform) {
        KqueueModel m = new KqueueModel(platform);
        m.realDescriptors = true;
        return m;
    }

    /** An open file in the model's descriptor table. */
    static final class File {
        final int fd;
        int readable;
        boolean writable = true;
        boolean eof;
        int soError;

        File(int fd) {
            this.fd = fd;
        }
    }

    static final class Knote {
        final long ident;
        final int filter;
        final File file;
        int flags;
        long udata;
        boolean active;
        /** Returned at its next activation even if its condition does not hold. */
        boolean spurious;
        boolean disabled;
        int failErrno;

        Knote(long ident, int filter, File file) {
            this.ident = ident;
            this.filter = filter;
            this.file = file;
        }
    }

    // ---- test controls -------------------------------------------------------------------------

    int openFd() {
        synchronized (lock) {
            int fd = 3;
            while (files.containsKey(fd)) {
                fd++;
            }
            files.put(fd, new File(fd));
            return fd;
        }
    }

    void closeFd(int fd) {
        synchronized (lock) {
            File f = files.remove(fd);
            if (!libkqueueCloseQuirk) {
                for (List<Knote> q : queues.values()) {
                    q.removeIf(k -> k.file == f && f != null);
                }
            }
        }
    }

    /** {@code n} bytes arrive for reading. */
    void arrive(int fd, int n) {
        synchronized (lock) {
            File f = file(fd);
            f.readable += n;
            activate(f, p.evfiltRead);
        }
    }

    /** The owner read everything queued. */
    void consume(int fd) {
        synchronized (lock) {
            file(fd).readable = 0;
        }
    }

    void sendBufferFull(int fd, boolean full) {
        synchronized (lock) {
            File f = file(fd);
            boolean was = f.writable;
            f.writable = !full;
            if (!was && f.writable) {
                activate(f, p.evfiltWrite);
            }
        }
    }

    /** The peer closed: EOF on both filters; {@code soError} non-zero for a reset. */
    void peerClosed(int fd, int soError) {
        synchronized (lock) {
            File f = file(fd);
            f.eof = true;
            f.soError = soError;
            activate(f, p.evfiltRead);
            activate(f, p.evfiltWrite);
        }
    }

    /**
     * The reading end of this pipe closed: as on some systems, only the read filter of the write
     * end reports it (EV_EOF); the write filter stays quiet.
     */
    void readerClosed(int fd) {
        synchronized (lock) {
            File f = file(fd);
            f.eof = true;
            activate(f, p.evfiltRead);
        }
    }

    /** Every change on {@code filter} fails with {@code err} until called again with 0. */
    void failChanges(int filter, int err) {
        synchronized (lock) {
            failingFilter = filter;
            failingErrno = err;
        }
    }

    /**
     * The next kevent wait returns this event first, whatever knotes exist: an event with any
     * {@code udata}, such as one collected for a registration that was closed since.
     */
    public void deliver(long ident, int filter, long udata) {
        synchronized (lock) {
            delivered.add(new long[] {ident, filter, udata});
            lock.notifyAll();
        }
    }

    /** From now on every read edge also returns the write filter, ready or not (spurious readiness). */
    public void reportWriteWithEveryRead() {
        writeWithEveryRead = true;
    }

    /** The knote for (fd, filter) fails: its next return carries flags == EV_ERROR, data = errno. */
    void failKnote(int kq, int fd, int filter, int err) {
        synchronized (lock) {
            Knote k = find(queue(kq), fd, filter);
            k.failErrno = err;
            k.active = true;
            lock.notifyAll();
        }
    }

    void interruptNextCall() {
        synchronized (lock) {
            interruptNext = true;
        }
    }

    /** The knotes of queue {@code kq}: "ident/filter/flags/udata" strings, in insertion order. */
    List<String> knotes(int kq) {
        synchronized (lock) {
            List<String> out = new ArrayList<>();
            for (Knote k : queue(kq)) {
                out.add(k.ident + "/" + k.filter + "/0x" + Integer.toHexString(k.flags) + "/" + Long.toHexString(k.udata));
            }
            return out;
        }
    }

    int onlyQueue() {
        synchronized (lock) {
            return queues.keySet().iterator().next();
        }
    }

    private File file(int fd) {
        File f = files.get(fd);
        if (f == null) {
            throw new IllegalArgumentException("fd " + fd + " is not open in the model");
        }
        return f;
    }

    private List<Knote> queue(int kq) {
        List<Knote> q = queues.get(kq);
        if (q == null) {
            throw new IllegalArgumentException("no kqueue " + kq);
        }
        return q;
    }

    private static Knote find(List<Knote> q, long ident, int filter) {
        for (Knote k : q) {
            if (k.ident == ident && k.filter == filter) {
                return k;
            }
        }
        return null;
    }

    private void activate(File f, int filter) {
        for (List<Knote> q : queues.values()) {
            for (Knote k : q) {
                if (k.file == f && k.filter == filter) {
                    k.active = true;
                } else if (writeWithEveryRead && k.file == f && filter == p.evfiltRead && k.filter == p.evfiltWrite) {
                    k.active = true;
                    k.spurious = true;
                }
            }
        }
        lock.notifyAll();
    }

    private boolean condition(Knote k) {
        if (k.failErrno != 0) {
            return true;
        }
        if (k.filter == p.evfiltRead) {
            return k.file.readable > 0 || k.file.eof;
        }
        if (k.filter == p.evfiltWrite) {
            return k.file.writable || k.file.eof;
        }
        return true;
    }

    // ---- the system calls ----------------------------------------------------------------------

    @Override
    public int kqueue() {
        synchronized (lock) {
            int kq = nextKq++;
            queues.put(kq, new ArrayList<>());
            return kq;
        }
    }

    @Override
    public int wakeChannel(int[] sv) {
        synchronized (lock) {
            sv[0] = openFd();
            sv[1] = openFd();
            peers.put(sv[0], sv[1]);
            peers.put(sv[1], sv[0]);
            return 0;
        }
    }

    @Override
    public long write(int fd, long buf, long len) {
        synchronized (lock) {
            Integer peer = peers.get(fd);
            if (peer == null || !files.containsKey(peer)) {
                return fail(EBADF);
            }
            arrive(peer, (int) len);
            return len;
        }
    }

    @Override
    public long read(int fd, long buf, long len) {
        synchronized (lock) {
            File f = files.get(fd);
            if (f == null) {
                return fail(EBADF);
            }
            if (f.readable == 0) {
                return fail(EAGAIN);
            }
            int n = (int) Math.min(len, f.readable);
            f.readable -= n;
            return n;
        }
    }

    @Override
    public int close(int fd) {
        synchronized (lock) {
            if (peers.remove(fd) != null) {
                files.remove(fd);
                return 0;
            }
            if (queues.remove(fd) == null) {
                return fail(EBADF);
            }
            if (queues.isEmpty() && realEpfd >= 0) {
                LibC.close(realEpfd);
                realEpfd = -1;
                realEvents = null;
            }
            return 0;
        }
    }

    @Override
    public int errno() {
        return errno.get()[0];
    }

    private int fail(int err) {
        errno.get()[0] = err;
        return -1;
    }

    @Override
    public int kevent(int kq, long changelist, int nchanges, long eventlist, int nevents, long timeout) {
        if (!waitHoldsLock) {
            return keventCall(kq, changelist, nchanges, eventlist, nevents, timeout);
        }
        callLock.lock();
        try {
            return keventCall(kq, changelist, nchanges, eventlist, nevents, timeout);
        } finally {
            callLock.unlock();
        }
    }

    private int keventCall(int kq, long changelist, int nchanges, long eventlist, int nevents, long timeout) {
        synchronized (lock) {
            keventCalls++;
            List<Knote> q = queues.get(kq);
            if (q == null) {
                return fail(EBADF);
            }
            if (interruptNext) {
                interruptNext = false;
                return fail(EINTR);
            }
            Pointer changes = new Pointer(changelist);
            for (int i = 0; i < nchanges; i++) {
                int err = apply(q, changes, i);
                if (err != 0) {
                    return fail(err);
                }
            }
            if (nevents == 0) {
                return 0;
            }
            long waitNanos = -1;
            if (timeout != 0) {
                Pointer ts = new Pointer(timeout);
                waitNanos = ts.getLong(0) * 1_000_000_000L + ts.getLong(8);
            }
            lastTimeoutNanos = waitNanos;
            long end = System.nanoTime() + waitNanos;
            Pointer out = new Pointer(eventlist);
            for (;;) {
                if (realDescriptors) {
                    sampleRealDescriptors(q);
                }
                int n = collect(q, out, nevents);
                if (n > 0 || waitNanos == 0) {
                    return n;
                }
                long left = waitNanos < 0 ? Long.MAX_VALUE : end - System.nanoTime();
                if (left <= 0) {
                    return 0;
                }
                if (interruptNext) {
                    interruptNext = false;
                    return fail(EINTR);
                }
                try {
                    if (left == Long.MAX_VALUE && !realDescriptors) {
                        lock.wait();
                    } else {
                        long sliceNanos = realDescriptors ? Math.min(left, 1_000_000L) : left;
                        lock.wait(Math.max(1, sliceNanos / 1_000_000L)); // wait(0) would mean forever
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return fail(EINTR);
                }
            }
        }
    }

    private int apply(List<Knote> q, Pointer changes, int i) {
        long ident = layout.ident(changes, i);
        int filter = layout.filter(changes, i);
        int flags = layout.flags(changes, i);
        int fflags = layout.fflags(changes, i);
        long udata = layout.udata(changes, i);
        changeLog.add(ident + "/" + filter + "/0x" + Integer.toHexString(flags) + "/0x" + Integer.toHexString(fflags));
        if (failingErrno != 0 && filter == failingFilter) {
            return failingErrno;
        }
        Knote k = find(q, ident, filter);
        if ((flags & p.evDelete) != 0) {
            if (k == null) {
                return ENOENT;
            }
            q.remove(k);
            return 0;
        }
        if (filter == p.evfiltUser) {
            if ((flags & p.evAdd) != 0 && k == null) {
                k = new Knote(ident, filter, null);
                q.add(k);
                k.udata = udata;
            }
            if (k == null) {
                return ENOENT;
            }
            if ((flags & p.evAdd) != 0) {
                k.flags = flags;
            }
            if ((flags & (p.evEnable | p.evDisable)) != 0) {
                k.disabled = (flags & p.evDisable) != 0;
            }
            if ((fflags & p.noteTrigger) != 0) {
                triggers++;
                k.active = true;
                k.udata = udataWrittenByTrigger != 0 ? udataWrittenByTrigger : udata;
                lock.notifyAll();
            }
            return 0;
        }
        if (filter != p.evfiltRead && filter != p.evfiltWrite) {
            return 22; // EINVAL: a filter the model does not know
        }
        if ((flags & p.evAdd) == 0) {
            return k == null ? ENOENT : 0;
        }
        File f = files.get((int) ident);
        if (realDescriptors && ident >= 0) {
            if (f == null) {
                f = new File((int) ident);
                files.put((int) ident, f);
            }
            watchReal((int) ident);
        }
        if (f == null) {
            return EBADF;
        }
        if (k == null) {
            k = new Knote(ident, filter, f);
            q.add(k);
            k.active = !realDescriptors && condition(k);
        }
        k.flags = flags;
        k.udata = udata;
        return 0;
    }

    private int collect(List<Knote> q, Pointer out, int nevents) {
        int n = 0;
        while (n < nevents && !delivered.isEmpty()) {
            long[] e = delivered.remove(0);
            layout.put(out, n++, e[0], (int) e[1], p.evAdd | p.evClear, 0, 0, e[2]);
        }
        for (Knote k : q) {
            if (!k.active || k.disabled) {
                continue;
            }
            if (n == nevents) {
                if (!dropsWhatDoesNotFit) {
                    break;
                }
                k.active = false;
                dropped++;
                continue;
            }
            if (k.filter == p.evfiltUser) {
                layout.put(out, n++, k.ident, k.filter, k.flags, 0, 0, k.udata);
                k.active = (k.flags & p.evClear) == 0;
                continue;
            }
            if (k.failErrno != 0) {
                layout.put(out, n++, k.ident, k.filter, p.evError, 0, k.failErrno, k.udata);
                k.failErrno = 0;
                k.active = false;
                continue;
            }
            if (!condition(k) && !k.spurious) {
                k.active = false;
                continue;
            }
            k.spurious = false;
            int flags = k.flags | (k.file.eof ? p.evEof : 0);
            long data = k.filter == p.evfiltRead ? k.file.readable : 4096;
            layout.put(out, n++, k.ident, k.filter, flags, k.file.eof ? k.file.soError : 0, data, k.udata);
            k.active = (k.flags & p.evClear) == 0;
        }
        return n;
    }

    /**
     * Real descriptors: Linux's own edge-triggered epoll supplies the activations (a socket wakes
     * its epoll waiters on every arrival, as it activates its knotes on BSD), and poll(2) the
     * current level, which decides whether an active knote is still worth returning.
     */
    private void sampleRealDescriptors(List<Knote> q) {
        if (realEvents == null) {
            return;
        }
        int n = LinuxLibC.epoll_wait(realEpfd, Pointer.nativeValue(realEvents), REAL_EVENTS, 0);
        for (int i = 0; i < n; i++) {
            long off = (long) i * Sys.EPOLL_EVENT_SIZE;
            int ev = realEvents.getInt(off);
            File f = files.get((int) realEvents.getLong(off + Sys.EPOLL_EVENT_DATA_OFFSET));
            if (f == null) {
                continue;
            }
            if ((ev & (Sys.EPOLLIN | Sys.EPOLLRDHUP | Sys.EPOLLHUP | Sys.EPOLLERR)) != 0) {
                activate(f, p.evfiltRead);
            }
            if ((ev & (Sys.EPOLLOUT | Sys.EPOLLHUP | Sys.EPOLLERR)) != 0) {
                activate(f, p.evfiltWrite);
            }
        }
        for (Iterator<Knote> it = q.iterator(); it.hasNext();) {
            Knote k = it.next();
            if (k.file == null || !k.active) {
                continue;
            }
            File f = k.file;
            int rev = RealReadiness.revents(f.fd);
            if ((rev & RealReadiness.POLLNVAL) != 0) {
                it.remove(); // a BSD kernel drops the knotes of a closed fd
                continue;
            }
            f.eof = (rev & (RealReadiness.POLLHUP | RealReadiness.POLLRDHUP | RealReadiness.POLLERR)) != 0;
            f.readable = (rev & RealReadiness.POLLIN) != 0 ? Math.max(1, RealReadiness.bytesReadable(f.fd)) : 0;
            f.writable = (rev & RealReadiness.POLLOUT) != 0;
        }
    }

    /** Watches a real fd with the model's epoll; a closed-and-reused number is simply added again. */
    private void watchReal(int fd) {
        if (realEvents == null) {
            realEpfd = LinuxLibC.epoll_create1(Sys.EPOLL_CLOEXEC);
            realEvents = new Memory((long) REAL_EVENTS * Sys.EPOLL_EVENT_SIZE);
        }
        try (Memory ev = new Memory(Sys.EPOLL_EVENT_SIZE)) {
            ev.setInt(0, Sys.EPOLLIN | Sys.EPOLLOUT | Sys.EPOLLRDHUP | Sys.EPOLLET);
            ev.setLong(Sys.EPOLL_EVENT_DATA_OFFSET, fd);
            LinuxLibC.epoll_ctl(realEpfd, Sys.EPOLL_CTL_ADD, fd, Pointer.nativeValue(ev)); // EEXIST: already watched
        }
    }
}
