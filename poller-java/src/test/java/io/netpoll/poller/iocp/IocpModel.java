package io.netpoll.poller.iocp;

import com.sun.jna.Pointer;
import io.netpoll.poller.RealReadiness;
import io.netpoll.poller.sys.windows.WinStructs;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.HashSet;

/**
 * A model of a completion port and the AFD device, driven by tests, so that {@link IocpPoller}
 * runs on Linux. It reads the AFD_POLL_INFO and IO_STATUS_BLOCK the backend wrote in native memory,
 * records each poll request, and completes one when the test says so: it writes the output
 * AFD_POLL_INFO and the IO_STATUS_BLOCK back, then queues an OVERLAPPED_ENTRY (key of the AFD
 * handle's association, lpOverlapped = the request's ApcContext) that
 * GetQueuedCompletionStatusEx hands out, in order, 32 bytes each.
 *
 * <p>Cancellation behaves as NtCancelIoFileEx: a pending request completes with STATUS_CANCELLED
 * and zero events; a request that already completed (its packet may still be queued) is not found.
 *
 * <p>{@link #overRealSockets()}: socket handles are real Linux fds, and a pending request completes
 * by itself, when poll(2) shows one of its events (RECEIVE↔POLLIN, SEND↔POLLOUT,
 * DISCONNECT↔POLLRDHUP/POLLHUP, ABORT↔POLLERR, LOCAL_CLOSE↔POLLNVAL); waits then re-sample every
 * millisecond.
 */
public final class IocpModel implements IocpSyscalls {
    static final long PORT = 0x100;
    static final long AFD = 0x200;

    private final Object lock = new Object();
    private final ArrayDeque<long[]> queue = new ArrayDeque<>();
    private final List<PollRequest> pending = new ArrayList<>();
    private final Map<Long, Long> associations = new HashMap<>();
    private final ThreadLocal<int[]> lastError = ThreadLocal.withInitial(() -> new int[1]);
    private boolean realSockets;
    private int failNextSubmitStatus;
    private int failNextCancelStatus;

    // observations, guarded by lock
    final List<PollRequest> submitted = new ArrayList<>();
    int posts;
    int cancels;
    int lastTimeoutMillis = Integer.MIN_VALUE;
    /**
     * Requests issued on an IO_STATUS_BLOCK whose previous request's completion has not been
     * dequeued yet: the backend would then read a completion through memory it already reused.
     * It promises none (one request per socket in flight, until its completion is handled).
     */
    int overlappingSubmits;
    private final Set<Long> undelivered = new HashSet<>();
    private final Map<Long, Long> byContext = new HashMap<>();
    boolean closed;

    /** One IOCTL_AFD_POLL as the backend issued it. */
    static final class PollRequest {
        final long apcContext;
        final long iosb;
        final long info;
        final long timeout;
        final int numberOfHandles;
        final int exclusive;
        final long handle;
        final int events;

        PollRequest(long apcContext, long iosb, long info) {
            Pointer p = new Pointer(info);
            this.apcContext = apcContext;
            this.iosb = iosb;
            this.info = info;
            this.timeout = p.getLong(WinStructs.AFD_TIMEOUT);
            this.numberOfHandles = p.getInt(WinStructs.AFD_NUMBER_OF_HANDLES);
            this.exclusive = p.getInt(WinStructs.AFD_EXCLUSIVE);
            this.handle = p.getLong(WinStructs.AFD_HANDLE);
            this.events = p.getInt(WinStructs.AFD_EVENTS);
        }

        @Override
        public String toString() {
            return "poll(handle=" + handle + ", events=0x" + Integer.toHexString(events) + ", ctx=" + apcContext + ")";
        }
    }

    /** A model whose AFD polls watch real Linux fds (for the PollDesc conformance suite). */
    public static IocpModel overRealSockets() {
        IocpModel m = new IocpModel();
        m.realSockets = true;
        return m;
    }

    // ---- test controls -------------------------------------------------------------------------

    /** The requests pending for {@code handle}, oldest first. */
    List<PollRequest> pendingFor(long handle) {
        synchronized (lock) {
            List<PollRequest> out = new ArrayList<>();
            for (PollRequest r : pending) {
                if (r.handle == handle) {
                    out.add(r);
                }
            }
            return out;
        }
    }

    /** The one request pending for {@code handle}; fails if there is not exactly one. */
    PollRequest only(long handle) {
        List<PollRequest> rs = pendingFor(handle);
        if (rs.size() != 1) {
            throw new AssertionError("expected one pending poll for " + handle + ", got " + rs);
        }
        return rs.get(0);
    }

    /** Completes {@code r} with {@code events} and {@code status}, as AFD would. */
    void complete(PollRequest r, int events, int status) {
        synchronized (lock) {
            if (!pending.remove(r)) {
                throw new AssertionError("not pending: " + r);
            }
            finish(r, events, status);
        }
    }

    /** Completes {@code r} if it is still pending (a cancel may have taken it); returns whether it was. */
    boolean tryComplete(PollRequest r, int events) {
        synchronized (lock) {
            if (!pending.remove(r)) {
                return false;
            }
            finish(r, events, Afd.STATUS_SUCCESS);
            return true;
        }
    }

    /** A snapshot of every pending request. */
    List<PollRequest> pending() {
        synchronized (lock) {
            return new ArrayList<>(pending);
        }
    }

    /** The next NtDeviceIoControlFile fails synchronously with {@code status}. */
    void failNextSubmit(int status) {
        synchronized (lock) {
            failNextSubmitStatus = status;
        }
    }

    /** The next NtCancelIoFileEx fails with {@code status} and cancels nothing. */
    void failNextCancel(int status) {
        synchronized (lock) {
            failNextCancelStatus = status;
        }
    }

    int queued() {
        synchronized (lock) {
            return queue.size();
        }
    }

    private void finish(PollRequest r, int events, int status) {
        Pointer info = new Pointer(r.info);
        info.setInt(WinStructs.AFD_NUMBER_OF_HANDLES, events != 0 ? 1 : 0);
        info.setInt(WinStructs.AFD_EVENTS, events);
        info.setInt(WinStructs.AFD_STATUS, 0);
        Pointer iosb = new Pointer(r.iosb);
        iosb.setLong(WinStructs.IOSB_STATUS, 0);
        iosb.setInt(WinStructs.IOSB_STATUS, status);
        iosb.setLong(WinStructs.IOSB_INFORMATION, WinStructs.AFD_POLL_INFO_SIZE);
        Long key = associations.get(AFD);
        queue.addLast(new long[] {key == null ? 0 : key, r.apcContext, status, WinStructs.AFD_POLL_INFO_SIZE});
        lock.notifyAll();
    }

    // ---- the system calls ----------------------------------------------------------------------

    @Override
    public long createIoCompletionPort(long file, long existingPort, long completionKey, int concurrentThreads) {
        synchronized (lock) {
            if (existingPort == 0) {
                return file == INVALID_HANDLE_VALUE ? PORT : 0;
            }
            if (existingPort != PORT) {
                lastError.get()[0] = 6; // ERROR_INVALID_HANDLE
                return 0;
            }
            associations.put(file, completionKey);
            return PORT;
        }
    }

    @Override
    public long openAfd() {
        return AFD;
    }

    @Override
    public long baseSocket(long socket) {
        return socket;
    }

    @Override
    public int ntDeviceIoControlFile(long file, long event, long apcRoutine, long apcContext, long ioStatusBlock,
                                     int ioControlCode, long input, int inputLength, long output, int outputLength) {
        synchronized (lock) {
            if (file != AFD || ioControlCode != Afd.IOCTL_AFD_POLL || input != output
                    || inputLength != WinStructs.AFD_POLL_INFO_SIZE || outputLength != WinStructs.AFD_POLL_INFO_SIZE
                    || event != 0 || apcRoutine != 0) {
                return 0xC000000D; // STATUS_INVALID_PARAMETER
            }
            PollRequest r = new PollRequest(apcContext, ioStatusBlock, input);
            submitted.add(r);
            if (!undelivered.add(ioStatusBlock)) {
                overlappingSubmits++;
            }
            if (failNextSubmitStatus != 0) {
                int status = failNextSubmitStatus;
                failNextSubmitStatus = 0;
                byContext.put(apcContext, ioStatusBlock);
                return status;
            }
            byContext.put(apcContext, ioStatusBlock);
            pending.add(r);
            return Afd.STATUS_PENDING;
        }
    }

    @Override
    public int ntCancelIoFileEx(long file, long ioStatusBlock, long resultIoStatusBlock) {
        synchronized (lock) {
            cancels++;
            if (failNextCancelStatus != 0) {
                int status = failNextCancelStatus;
                failNextCancelStatus = 0;
                return status;
            }
            for (Iterator<PollRequest> it = pending.iterator(); it.hasNext();) {
                PollRequest r = it.next();
                if (r.iosb == ioStatusBlock) {
                    it.remove();
                    finish(r, 0, Afd.STATUS_CANCELLED);
                    return Afd.STATUS_SUCCESS;
                }
            }
            return Afd.STATUS_NOT_FOUND;
        }
    }

    @Override
    public int postQueuedCompletionStatus(long port, int bytes, long completionKey, long overlapped) {
        synchronized (lock) {
            posts++;
            queue.addLast(new long[] {completionKey, overlapped, 0, bytes});
            lock.notifyAll();
            return 1;
        }
    }

    @Override
    public int getQueuedCompletionStatusEx(long port, long entries, int count, long numRemovedPtr, int timeoutMillis, boolean alertable) {
        synchronized (lock) {
            lastTimeoutMillis = timeoutMillis;
            long end = System.nanoTime() + Integer.toUnsignedLong(timeoutMillis) * 1_000_000L;
            for (;;) {
                if (realSockets) {
                    sampleRealSockets();
                }
                if (!queue.isEmpty()) {
                    break;
                }
                long leftNanos = end - System.nanoTime();
                long leftMillis = timeoutMillis == INFINITE ? Long.MAX_VALUE : (leftNanos + 999_999L) / 1_000_000L;
                if (timeoutMillis == 0 || leftNanos <= 0 && timeoutMillis != INFINITE) {
                    lastError.get()[0] = WAIT_TIMEOUT;
                    return 0;
                }
                try {
                    if (realSockets) {
                        lock.wait(1);
                    } else if (leftMillis == Long.MAX_VALUE) {
                        lock.wait();
                    } else {
                        lock.wait(leftMillis);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    lastError.get()[0] = WAIT_TIMEOUT;
                    return 0;
                }
            }
            Pointer out = new Pointer(entries);
            int n = 0;
            while (n < count && !queue.isEmpty()) {
                long[] e = queue.pollFirst();
                Long iosb = byContext.get(e[1]);
                if (iosb != null && e[0] == associations.getOrDefault(AFD, -1L)) {
                    undelivered.remove(iosb);
                }
                long off = (long) n * WinStructs.OVERLAPPED_ENTRY_SIZE;
                out.setLong(off + WinStructs.ENTRY_COMPLETION_KEY, e[0]);
                out.setLong(off + WinStructs.ENTRY_OVERLAPPED, e[1]);
                out.setLong(off + WinStructs.ENTRY_INTERNAL, e[2]);
                out.setLong(off + WinStructs.ENTRY_BYTES, e[3]);
                n++;
            }
            new Pointer(numRemovedPtr).setInt(0, n);
            return 1;
        }
    }

    private void sampleRealSockets() {
        for (Iterator<PollRequest> it = pending.iterator(); it.hasNext();) {
            PollRequest r = it.next();
            int rev = RealReadiness.revents((int) r.handle);
            int events = 0;
            if ((rev & RealReadiness.POLLIN) != 0) {
                events |= Afd.POLL_RECEIVE;
            }
            if ((rev & RealReadiness.POLLOUT) != 0) {
                events |= Afd.POLL_SEND;
            }
            if ((rev & (RealReadiness.POLLRDHUP | RealReadiness.POLLHUP)) != 0) {
                events |= Afd.POLL_DISCONNECT;
            }
            if ((rev & RealReadiness.POLLERR) != 0) {
                events |= Afd.POLL_ABORT;
            }
            if ((rev & RealReadiness.POLLNVAL) != 0) {
                events |= Afd.POLL_LOCAL_CLOSE;
            }
            events &= r.events;
            if (events != 0) {
                it.remove();
                finish(r, events, Afd.STATUS_SUCCESS);
            }
        }
    }

    @Override
    public int closeHandle(long handle) {
        synchronized (lock) {
            if (handle == PORT) {
                closed = true;
            }
            return 1;
        }
    }

    @Override
    public int lastError() {
        return lastError.get()[0];
    }
}
