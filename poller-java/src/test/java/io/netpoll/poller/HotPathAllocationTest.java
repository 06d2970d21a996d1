package io.netpoll.poller;

import com.sun.jna.Pointer;
import io.netpoll.poller.iocp.Afd;
import io.netpoll.poller.iocp.IocpPoller;
import io.netpoll.poller.iocp.IocpSyscalls;
import io.netpoll.poller.kqueue.KeventLayout;
import io.netpoll.poller.kqueue.KqueuePlatform;
import io.netpoll.poller.kqueue.KqueuePoller;
import io.netpoll.poller.kqueue.KqueueSyscalls;
import io.netpoll.poller.sys.windows.WinStructs;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The poll loops of the kqueue and IOCP backends allocate nothing per call: each is driven through
 * its event-decoding path (and IOCP through re-issuing its AFD poll) by a stub kernel that itself
 * allocates nothing once warm. The thread's allocation counter may move by the few hundred bytes
 * reading it costs, never by the 16+ bytes per call that a single allocation would add.
 */
class HotPathAllocationTest {
    private static final int WARMUP = 20_000;
    private static final int MEASURED = 20_000;

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    private static final class CountingSink implements ReadySink {
        long events;

        @Override
        public void ready(long token, int bits) {
            events += bits;
        }
    }

    /** Native memory at a few fixed addresses, wrapped once each so the stubs allocate nothing when warm. */
    private static final class Pointers {
        private final long[] addrs = new long[4];
        private final Pointer[] ptrs = new Pointer[4];

        Pointer at(long addr) {
            for (int i = 0; i < addrs.length; i++) {
                if (ptrs[i] == null) {
                    addrs[i] = addr;
                    ptrs[i] = new Pointer(addr);
                }
                if (addrs[i] == addr) {
                    return ptrs[i];
                }
            }
            throw new IllegalStateException("more than " + addrs.length + " buffers");
        }
    }

    /** Returns two fd events (READ and WRITE with EOF) and the wakeup on every wait. */
    private static final class StubKqueue implements KqueueSyscalls {
        private final KqueuePlatform p = KqueuePlatform.FREEBSD;
        private final Pointers pointers = new Pointers();

        @Override
        public int kqueue() {
            return 3;
        }

        @Override
        public int kevent(int kq, long changelist, int nchanges, long eventlist, int nevents, long timeout) {
            if (nevents == 0) {
                return 0;
            }
            Pointer cached = pointers.at(eventlist);
            KeventLayout l = p.layout;
            l.put(cached, 0, 9, p.evfiltRead, p.evAdd | p.evClear, 0, 10, 0x0000000100000001L);
            l.put(cached, 1, 9, p.evfiltWrite, p.evAdd | p.evClear | p.evEof, 54, 0, 0x0000000100000001L);
            l.put(cached, 2, 0, p.evfiltUser, p.evAdd | p.evClear, 0, 0, 0);
            return 3;
        }

        @Override
        public int close(int fd) {
            return 0;
        }

        @Override
        public int errno() {
            return 0;
        }
    }

    /** Hands each event to a PollDesc, as Netpoll does, and takes the socket error it carried, as NetFD does. */
    private static final class PollDescSink implements ReadySink {
        final PollDesc pd = TestDescriptors.withId(1, 9);
        long errnos;

        @Override
        public void ready(long token, int bits) {
            pd.ready(bits, null);
            errnos += pd.takeEventErrno();
        }
    }

    @Test
    void kqueue_poll_allocates_nothing() throws Exception {
        CountingSink sink = new CountingSink();
        try (KqueuePoller p = new KqueuePoller(new StubKqueue(), KqueuePlatform.FREEBSD, false)) {
            for (int i = 0; i < WARMUP; i++) {
                p.poll(i % 2 == 0 ? 0 : 1_000, i % 2 != 0, sink);
                p.wakeup();
            }
            long before = allocatedBytes();
            for (int i = 0; i < MEASURED; i++) {
                p.poll(i % 2 == 0 ? 0 : 1_000, i % 2 != 0, sink);
                p.wakeup();
            }
            long allocated = allocatedBytes() - before;
            System.out.printf("kqueue: %d polls, %d bytes allocated%n", MEASURED, allocated);
            assertTrue(allocated < MEASURED, "allocates per call: " + allocated + " bytes for " + MEASURED + " polls and wakeups");
            assertTrue(sink.events > 0);
        }
    }

    @Test
    void a_socket_error_from_a_kqueue_event_reaches_the_poll_desc_and_its_taker_without_allocating() throws Exception {
        PollDescSink sink = new PollDescSink();
        try (KqueuePoller p = new KqueuePoller(new StubKqueue(), KqueuePlatform.FREEBSD, false)) {
            for (int i = 0; i < WARMUP; i++) {
                p.poll(0, false, sink);
            }
            long before = allocatedBytes();
            for (int i = 0; i < MEASURED; i++) {
                p.poll(0, false, sink);
            }
            long allocated = allocatedBytes() - before;
            System.out.printf("kqueue event errno to PollDesc: %d polls, %d bytes allocated%n", MEASURED, allocated);
            assertTrue(allocated < MEASURED, "allocates per call: " + allocated + " bytes for " + MEASURED + " polls");
            assertTrue(sink.errnos == 54L * (WARMUP + MEASURED), "every poll's EV_EOF fflags reached the taker: " + sink.errnos);
        }
    }

    /** Completes the one registered AFD poll (slot 0) with RECEIVE on every wait, plus a wakeup. */
    private static final class StubPort implements IocpSyscalls {
        private final Pointers pointers = new Pointers();
        private Pointer info;
        long submits;

        @Override
        public long createIoCompletionPort(long file, long existingPort, long completionKey, int concurrentThreads) {
            return 0x100;
        }

        @Override
        public int getQueuedCompletionStatusEx(long port, long entries, int count, long numRemovedPtr, int timeoutMillis, boolean alertable) {
            Pointer cached = pointers.at(entries);
            Pointer removed = pointers.at(numRemovedPtr);
            info.setInt(WinStructs.AFD_NUMBER_OF_HANDLES, 1);
            info.setInt(WinStructs.AFD_EVENTS, Afd.POLL_RECEIVE);
            cached.setLong(WinStructs.ENTRY_COMPLETION_KEY, 1);
            cached.setLong(WinStructs.ENTRY_OVERLAPPED, 1);
            cached.setLong(WinStructs.OVERLAPPED_ENTRY_SIZE + WinStructs.ENTRY_COMPLETION_KEY, 2);
            removed.setInt(0, 2);
            return 1;
        }

        @Override
        public int postQueuedCompletionStatus(long port, int bytes, long completionKey, long overlapped) {
            return 1;
        }

        @Override
        public long openAfd() {
            return 0x200;
        }

        @Override
        public int ntDeviceIoControlFile(long file, long event, long apcRoutine, long apcContext, long ioStatusBlock,
                                         int ioControlCode, long input, int inputLength, long output, int outputLength) {
            submits++;
            if (info == null) {
                info = new Pointer(output);
            }
            return Afd.STATUS_PENDING;
        }

        @Override
        public int ntCancelIoFileEx(long file, long ioStatusBlock, long resultIoStatusBlock) {
            return Afd.STATUS_NOT_FOUND;
        }

        @Override
        public long baseSocket(long socket) {
            return socket;
        }

        @Override
        public int closeHandle(long handle) {
            return 1;
        }

        @Override
        public int lastError() {
            return 0;
        }
    }

    @Test
    void iocp_poll_allocates_nothing() throws Exception {
        CountingSink sink = new CountingSink();
        StubPort port = new StubPort();
        try (IocpPoller p = new IocpPoller(port)) {
            PollDesc pd = TestDescriptors.withId(0, 9);
            p.open(9, pd);
            // The stub leaves the IO_STATUS_BLOCK as the backend wrote it (STATUS_PENDING, a success
            // code); each completion reports RECEIVE, and each re-arm of READ re-issues the poll.
            for (int i = 0; i < WARMUP; i++) {
                p.poll(i % 2 == 0 ? 0 : 1_000, i % 2 != 0, sink);
                p.wakeup();
                p.rearm(9, pd.token(), Poller.READ);
            }
            long before = allocatedBytes();
            for (int i = 0; i < MEASURED; i++) {
                p.poll(i % 2 == 0 ? 0 : 1_000, i % 2 != 0, sink);
                p.wakeup();
                p.rearm(9, pd.token(), Poller.READ);
            }
            long allocated = allocatedBytes() - before;
            System.out.printf("iocp: %d polls, %d AFD polls issued, %d bytes allocated%n", MEASURED, port.submits, allocated);
            assertTrue(allocated < MEASURED, "allocates per call: " + allocated + " bytes for " + MEASURED + " polls, wakeups and re-arms");
            assertTrue(sink.events > 0);
            assertTrue(port.submits > MEASURED, "every completion and re-arm issued an AFD poll: " + port.submits);
        }
    }
}
