package io.netpoll.poller.iocp;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.poller.PollDesc;
import io.netpoll.poller.Poller;
import io.netpoll.poller.ReadySink;
import io.netpoll.poller.sys.windows.WinStructs;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Windows backend: an I/O completion port fed by AFD poll requests, one per socket (the approach
 * of wepoll, mio and the JDK's Windows selector). Of Go's netpoll_windows.go, netpollinit (the
 * port), netpoll (GetQueuedCompletionStatusEx) and netpollBreak (PostQueuedCompletionStatus) are
 * mirrored; its readiness side is different, see below.
 *
 * <h2>Why readiness through AFD, not Go's overlapped I/O</h2>
 * Go on Windows issues every read and write as overlapped I/O (WSARecv/WSASend with an OVERLAPPED)
 * and the port reports their completion: the buffer belongs to the kernel until then. That would
 * split NetFD in two: the retry loop (syscall → EAGAIN → wait → retry) and the fdMutex rules hold
 * for readiness, but overlapped I/O needs pinned native buffers per operation, cancellation by
 * CancelIoEx with a wait for the cancelled completion, and a second read/write path everywhere.
 * Asking AFD (the kernel driver under Winsock) "tell me when this socket is readable/writable"
 * keeps Windows on the same readiness protocol as epoll and kqueue, so PollDesc, NetFD and every
 * layer above are shared. Supporting Go's model instead would mean: a Poller SPI method that
 * submits an operation, PollDesc waiters completed with byte counts instead of readiness, NetFD
 * buffers pinned in native memory for the life of each operation, and close waiting for cancelled
 * operations to complete.
 *
 * <h2>Protocol</h2>
 * One AFD device handle, associated with the port under {@link #AFD_KEY}. Each registered socket
 * has a {@link Request}: an IO_STATUS_BLOCK and an AFD_POLL_INFO in native memory, and a slot
 * number. NtDeviceIoControlFile(IOCTL_AFD_POLL) is issued with ApcContext = slot + 1, so the
 * completion's {@code lpOverlapped} names the slot: no pointer or object crosses into the kernel.
 * <ul>
 *   <li>AFD polls are one-shot and level-triggered. To behave edge-triggered, a direction that was
 *       reported is dropped from the next request ({@code wanted}) until the caller meets EAGAIN
 *       and {@link #rearm}s it; otherwise an unread or always-writable socket would complete every
 *       poll at once.</li>
 *   <li>A request that must change (a direction re-armed while one is pending without it) is
 *       cancelled; its completion, STATUS_CANCELLED or a real one that won the race, is handled
 *       like any other and the request is re-issued with the current {@code wanted}. Exactly one
 *       request per socket is in flight at a time. NtCancelIoFileEx answers STATUS_NOT_FOUND when
 *       the completion won: its packet is already queued, so there is nothing more to do. Any other
 *       failure would leave the re-armed direction unpolled until the request completes by itself,
 *       so {@link #rearm} throws instead of letting its caller park on it.</li>
 *   <li>LOCAL_CLOSE: the socket was closed under the request; the state is dropped, nothing is
 *       reported. {@link #close(int)} marks the state closed and cancels; a slot is recycled only
 *       once no request is in flight, so a late completion can never reach a new socket (a reused
 *       handle gets a new slot). Tokens protect {@code PollDesc} reuse as on every backend.</li>
 *   <li>A failed submission or a failed completion (NT_ERROR) reports both directions, so the
 *       caller's next Winsock call meets the error itself.</li>
 * </ul>
 *
 * <h2>Wakeup and timeouts</h2>
 * {@link #wakeup} posts a packet under {@link #WAKEUP_KEY}, coalesced by {@code wakeSig} as on the
 * other backends. A dequeued packet is gone, so a non-blocking poll that takes one, which may have
 * been meant for a thread blocked in the port, clears {@code wakeSig} and posts it again, as Go's
 * netpoll on Windows does; only a poll that may wait consumes it. Timeouts are DWORD milliseconds,
 * rounded up; {@code < 0} is INFINITE. The port wait is not alertable, so there is no EINTR case.
 *
 * <h2>Threads and locks</h2>
 * Each {@link Request}'s fields are guarded by its monitor: the poller (completions), callers
 * ({@link #rearm}) and {@link #close(int)} meet there, uncontended in the common case. The slot
 * table and the fd index are guarded by {@code registry}, always taken after a request's monitor,
 * never before. {@link #poll} allocates nothing; the blocking and the non-blocking poll each own an
 * entry array. Socket handles fit in 32 bits (Windows keeps handle values 32-bit for WOW64).
 */
public final class IocpPoller implements Poller {
    static final long AFD_KEY = 1;
    static final long WAKEUP_KEY = 2;
    static final int MAX_EVENTS = 128;
    private static final long NANOS_PER_MILLI = 1_000_000L;
    /** The longest finite wait: one below INFINITE. */
    private static final long MAX_TIMEOUT_MILLIS = 0xFFFFFFFEL;
    private static final int REQUEST_SIZE = WinStructs.IO_STATUS_BLOCK_SIZE + WinStructs.AFD_POLL_INFO_SIZE;

    private final IocpSyscalls sys;
    private final long port;
    private final long afd;

    private final Memory blockingEntries = new Memory((long) MAX_EVENTS * WinStructs.OVERLAPPED_ENTRY_SIZE);
    private final Memory nonBlockingEntries = new Memory((long) MAX_EVENTS * WinStructs.OVERLAPPED_ENTRY_SIZE);
    private final long blockingEntriesAddr = Pointer.nativeValue(blockingEntries);
    private final long nonBlockingEntriesAddr = Pointer.nativeValue(nonBlockingEntries);
    private final Memory blockingRemoved = new Memory(4);
    private final Memory nonBlockingRemoved = new Memory(4);
    private final long blockingRemovedAddr = Pointer.nativeValue(blockingRemoved);
    private final long nonBlockingRemovedAddr = Pointer.nativeValue(nonBlockingRemoved);
    /** NtCancelIoFileEx's output IO_STATUS_BLOCK; never read, so one is shared. */
    private final Memory cancelStatus = new Memory(WinStructs.IO_STATUS_BLOCK_SIZE);
    private final long cancelStatusAddr = Pointer.nativeValue(cancelStatus);

    private final Object registry = new Object();
    private volatile Request[] slots = new Request[64];
    private volatile Request[] byId = new Request[64];
    private final Map<Integer, Request> byFd = new HashMap<>();
    private final ArrayDeque<Integer> freeSlots = new ArrayDeque<>();
    private int slotsUsed;

    private final AtomicInteger wakeSig = new AtomicInteger();
    private final AtomicLong wakeupWrites = new AtomicLong();

    /** One socket's poll request and the state of its edge emulation; guarded by its monitor. */
    static final class Request {
        final long socket;
        final long token;
        final int id;
        final int slot;
        final Memory mem = new Memory(REQUEST_SIZE);
        final long iosb = Pointer.nativeValue(mem);
        final long info = iosb + WinStructs.IO_STATUS_BLOCK_SIZE;
        /** Directions ({@link Poller#READ}/{@link Poller#WRITE}) not reported since last armed. */
        int wanted = READ | WRITE;
        /** The directions of the request in flight, or -1 if none is. */
        int inFlight = -1;
        boolean cancelling;
        boolean closed;
        boolean released;

        Request(long socket, long token, int slot) {
            this.socket = socket;
            this.token = token;
            this.id = (int) (token >>> 32);
            this.slot = slot;
        }
    }

    /** The Windows backend over the real kernel32/ntdll/ws2_32. */
    public IocpPoller() throws IOException {
        this(new IocpNative());
    }

    /** Go's netpollinit, plus the AFD device handle associated with the port. */
    public IocpPoller(IocpSyscalls sys) throws IOException {
        this.sys = sys;
        port = sys.createIoCompletionPort(IocpSyscalls.INVALID_HANDLE_VALUE, 0, 0, 0);
        if (port == 0) {
            throw new IOException("CreateIoCompletionPort failed: error " + sys.lastError());
        }
        long h;
        try {
            h = sys.openAfd();
        } catch (IOException | RuntimeException e) {
            sys.closeHandle(port);
            throw e;
        }
        afd = h;
        if (sys.createIoCompletionPort(afd, port, AFD_KEY, 0) == 0) {
            int err = sys.lastError();
            sys.closeHandle(afd);
            sys.closeHandle(port);
            throw new IOException("CreateIoCompletionPort(AFD) failed: error " + err);
        }
    }

    @Override
    public String name() {
        return "iocp";
    }

    @Override
    public void open(int fd, PollDesc pd) throws IOException {
        long socket = sys.baseSocket(fd & 0xffffffffL);
        if (socket == -1) {
            throw new IOException("WSAIoctl(SIO_BASE_HANDLE) failed: error " + sys.lastError());
        }
        Request r;
        synchronized (registry) {
            Integer free = freeSlots.pollFirst();
            int slot = free != null ? free : slotsUsed++;
            r = new Request(socket, pd.token(), slot);
            if (slot >= slots.length) {
                slots = Arrays.copyOf(slots, slots.length * 2);
            }
            slots[slot] = r;
            if (r.id >= byId.length) {
                byId = Arrays.copyOf(byId, Math.max(byId.length * 2, r.id + 1));
            }
            byId[r.id] = r;
            byFd.put(fd, r);
        }
        synchronized (r) {
            submit(r);
        }
    }

    @Override
    public void rearm(int fd, long token, int events) {
        Request[] t = byId;
        int id = (int) (token >>> 32);
        Request r = id < t.length ? t[id] : null;
        if (r == null || r.token != token) {
            return;
        }
        synchronized (r) {
            if (r.closed || (r.wanted & events) == events) {
                return;
            }
            r.wanted |= events;
            if (r.inFlight < 0) {
                submit(r);
            } else if (!r.cancelling && (r.inFlight & events) != events) {
                r.cancelling = true;
                int status = sys.ntCancelIoFileEx(afd, r.iosb, cancelStatusAddr);
                if (status != Afd.STATUS_SUCCESS && status != Afd.STATUS_NOT_FOUND) {
                    throw new IllegalStateException("NtCancelIoFileEx failed: status 0x" + Integer.toHexString(status));
                }
            }
        }
    }

    @Override
    public void close(int fd) {
        Request r;
        synchronized (registry) {
            r = byFd.remove(fd);
            if (r == null) {
                return;
            }
            if (byId[r.id] == r) {
                byId[r.id] = null;
            }
        }
        synchronized (r) {
            r.closed = true;
            if (r.inFlight < 0) {
                release(r);
            } else if (!r.cancelling) {
                r.cancelling = true;
                // The result does not matter: the socket is closed next, and a request the cancel
                // missed completes with LOCAL_CLOSE; either completion releases the slot.
                sys.ntCancelIoFileEx(afd, r.iosb, cancelStatusAddr);
            }
        }
    }

    /** Issues the AFD poll for {@code r.wanted}; caller holds r's monitor and no request is in flight. */
    private void submit(Request r) {
        r.mem.setLong(WinStructs.IOSB_STATUS, Afd.STATUS_PENDING);
        r.mem.setLong(WinStructs.IOSB_INFORMATION, 0);
        long info = WinStructs.IO_STATUS_BLOCK_SIZE;
        r.mem.setLong(info + WinStructs.AFD_TIMEOUT, Long.MAX_VALUE);
        r.mem.setInt(info + WinStructs.AFD_NUMBER_OF_HANDLES, 1);
        r.mem.setInt(info + WinStructs.AFD_EXCLUSIVE, 0);
        r.mem.setLong(info + WinStructs.AFD_HANDLE, r.socket);
        r.mem.setInt(info + WinStructs.AFD_EVENTS, Afd.eventsFor(r.wanted));
        r.mem.setInt(info + WinStructs.AFD_STATUS, 0);
        r.inFlight = r.wanted;
        r.cancelling = false;
        int status = sys.ntDeviceIoControlFile(afd, 0, 0, r.slot + 1L, r.iosb, Afd.IOCTL_AFD_POLL,
                r.info, WinStructs.AFD_POLL_INFO_SIZE, r.info, WinStructs.AFD_POLL_INFO_SIZE);
        if (status != Afd.STATUS_PENDING && status != Afd.STATUS_SUCCESS) {
            // No completion will come: queue one carrying the failure, so poll reports it.
            r.mem.setInt(WinStructs.IOSB_STATUS, status);
            sys.postQueuedCompletionStatus(port, 0, AFD_KEY, r.slot + 1L);
        }
    }

    /** Returns r's slot to the free list; caller holds r's monitor and nothing is in flight. */
    private void release(Request r) {
        if (r.released) {
            return;
        }
        r.released = true;
        synchronized (registry) {
            slots[r.slot] = null;
            freeSlots.addLast(r.slot);
        }
    }

    /** Go's netpoll(delay). */
    @Override
    public int poll(long timeoutNanos, boolean blocking, ReadySink sink) {
        // hot path: no allocation
        Memory entries = blocking ? blockingEntries : nonBlockingEntries;
        Memory removed = blocking ? blockingRemoved : nonBlockingRemoved;
        int ok = sys.getQueuedCompletionStatusEx(port, blocking ? blockingEntriesAddr : nonBlockingEntriesAddr, MAX_EVENTS,
                blocking ? blockingRemovedAddr : nonBlockingRemovedAddr, toMillis(timeoutNanos), false);
        if (ok == 0) {
            int err = sys.lastError();
            if (err == IocpSyscalls.WAIT_TIMEOUT) {
                return 0;
            }
            throw new IllegalStateException("GetQueuedCompletionStatusEx failed: error " + err);
        }
        int n = removed.getInt(0);
        int reported = 0;
        for (int i = 0; i < n; i++) {
            long off = (long) i * WinStructs.OVERLAPPED_ENTRY_SIZE;
            long key = entries.getLong(off + WinStructs.ENTRY_COMPLETION_KEY);
            if (key == WAKEUP_KEY) {
                wakeSig.set(0);
                if (timeoutNanos == 0) {
                    wakeup();
                }
                continue;
            }
            if (key != AFD_KEY) {
                continue;
            }
            int slot = (int) (entries.getLong(off + WinStructs.ENTRY_OVERLAPPED) - 1);
            Request[] t = slots;
            Request r = slot >= 0 && slot < t.length ? t[slot] : null;
            if (r == null) {
                continue;
            }
            int bits = complete(r);
            if (bits != 0) {
                sink.ready(r.token, bits);
                reported++;
            }
        }
        return reported;
    }

    /** Handles r's completion and returns the readiness to report (0 for none). */
    private int complete(Request r) {
        synchronized (r) {
            r.inFlight = -1;
            r.cancelling = false;
            if (r.closed) {
                release(r);
                return 0;
            }
            int status = r.mem.getInt(WinStructs.IOSB_STATUS);
            int bits;
            if (status == Afd.STATUS_CANCELLED) {
                bits = 0;
            } else if (Afd.isError(status)) {
                bits = READ | WRITE;
            } else {
                long info = WinStructs.IO_STATUS_BLOCK_SIZE;
                int events = r.mem.getInt(info + WinStructs.AFD_NUMBER_OF_HANDLES) > 0
                        ? r.mem.getInt(info + WinStructs.AFD_EVENTS) : 0;
                if ((events & Afd.POLL_LOCAL_CLOSE) != 0) {
                    r.closed = true;
                    release(r);
                    return 0;
                }
                bits = Afd.readiness(events);
            }
            r.wanted &= ~bits;
            if (r.wanted != 0) {
                submit(r);
            }
            return bits;
        }
    }

    static int toMillis(long timeoutNanos) {
        if (timeoutNanos < 0) {
            return IocpSyscalls.INFINITE;
        }
        long ms = timeoutNanos / NANOS_PER_MILLI + (timeoutNanos % NANOS_PER_MILLI != 0 ? 1 : 0);
        return (int) Math.min(ms, MAX_TIMEOUT_MILLIS);
    }

    /** Go's netpollBreak. */
    @Override
    public void wakeup() {
        if (wakeSig.get() != 0 || !wakeSig.compareAndSet(0, 1)) {
            return;
        }
        if (sys.postQueuedCompletionStatus(port, 0, WAKEUP_KEY, 0) == 0) {
            wakeSig.set(0);
            throw new IllegalStateException("PostQueuedCompletionStatus failed: error " + sys.lastError());
        }
        wakeupWrites.incrementAndGet();
    }

    @Override
    public long wakeupWrites() {
        return wakeupWrites.get();
    }

    @Override
    public void close() {
        sys.closeHandle(afd);
        sys.closeHandle(port);
    }
}
