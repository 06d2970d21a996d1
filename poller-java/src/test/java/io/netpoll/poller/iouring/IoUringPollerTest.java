package io.netpoll.poller.iouring;

import io.netpoll.poller.PollDesc;
import io.netpoll.poller.Poller;
import io.netpoll.poller.RealPollerContract;
import io.netpoll.poller.TestDescriptors;
import io.netpoll.poller.TestSockets;
import io.netpoll.poller.sys.LibC;
import io.netpoll.poller.sys.Sys;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The io_uring backend against a real ring, real socketpairs and signals, without Netpoll on top. */
class IoUringPollerTest extends RealPollerContract {
    @Override
    protected Poller open() throws IOException {
        return new IoUringPoller();
    }

    private static List<long[]> collect(IoUringPoller p, long timeoutNanos) {
        List<long[]> out = new ArrayList<>();
        p.poll(timeoutNanos, timeoutNanos != 0, (token, bits) -> out.add(new long[] {token, bits}));
        return out;
    }

    private static List<long[]> collectFor(IoUringPoller p, long token, long timeoutNanos) {
        List<long[]> out = new ArrayList<>();
        for (long[] e : collect(p, timeoutNanos)) {
            if (e[0] == token) {
                out.add(e);
            }
        }
        return out;
    }

    @Test
    void multishot_poll_reports_each_edge_once() throws Exception {
        try (IoUringPoller p = new IoUringPoller()) {
            int[] sp = TestSockets.socketpair();
            PollDesc pd = TestDescriptors.withId(42, sp[0]);
            p.open(sp[0], pd);
            List<long[]> first = collect(p, TimeUnit.SECONDS.toNanos(1));
            assertEquals(1, first.size(), "the initial write-ready edge");
            assertEquals(Poller.WRITE, first.get(0)[1]);
            TestSockets.writeByte(sp[1], 1);
            List<long[]> ev = collect(p, TimeUnit.SECONDS.toNanos(1));
            assertEquals(1, ev.size());
            assertEquals(pd.token(), ev.get(0)[0]);
            assertTrue((ev.get(0)[1] & Poller.READ) != 0);
            assertEquals(0, ev.get(0)[1] & Poller.HANGUP, "data alone is no hang-up");
            assertEquals(0, collect(p, TimeUnit.MILLISECONDS.toNanos(20)).size(), "edge-triggered: no repeat without a new edge");
            TestSockets.writeByte(sp[1], 2);
            assertEquals(1, collect(p, TimeUnit.SECONDS.toNanos(1)).size(), "a new edge is reported: the request stayed armed");
            LibC.close(sp[1]);
            List<long[]> hup = collect(p, TimeUnit.SECONDS.toNanos(1));
            assertEquals(1, hup.size());
            assertTrue((hup.get(0)[1] & Poller.READ) != 0, "peer close reads as readable (RDHUP)");
            assertTrue((hup.get(0)[1] & Poller.HANGUP) != 0, "and is marked as a hang-up");
            p.close(sp[0]);
            LibC.close(sp[0]);
        }
    }

    @Test
    void a_bare_pollerr_is_a_pending_socket_error_not_an_unpollable_descriptor() {
        // A multishot poll may post the mask of the wake-up that fired, and a reset wakes the
        // socket's waiters with POLLERR alone before the one that brings IN and HUP; epoll's
        // ERROR (Go's not-pollable) would fail the next read with "the poller reported an error"
        // instead of the reset the read reports (seen in TlsFaultsSpec on io_uring).
        int bits = IoUringPoller.readiness(Sys.EPOLLERR);
        assertEquals(Poller.READ | Poller.WRITE | Poller.HANGUP, bits);
        assertEquals(Poller.READ, IoUringPoller.readiness(Sys.EPOLLIN), "other masks map as on epoll");
        assertEquals(Poller.READ | Poller.WRITE | Poller.HANGUP, IoUringPoller.readiness(Sys.EPOLLERR | Sys.EPOLLHUP));
    }

    @Test
    void close_removes_the_poll_so_the_socket_is_really_closed() throws Exception {
        // The poll request holds a reference to the file: without POLL_REMOVE, closing the fd
        // would leave the socket open and the peer would never see end of stream.
        try (IoUringPoller p = new IoUringPoller()) {
            int[] sp = TestSockets.socketpair();
            p.open(sp[0], TestDescriptors.withId(7, sp[0]));
            collect(p, 0);
            p.close(sp[0]);
            LibC.close(sp[0]);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            long n;
            try (com.sun.jna.Memory m = new com.sun.jna.Memory(1)) {
                while ((n = LibC.read(sp[1], com.sun.jna.Pointer.nativeValue(m), 1)) < 0 && System.nanoTime() < end) {
                    collect(p, TimeUnit.MILLISECONDS.toNanos(10));
                }
            }
            assertEquals(0, n, "the peer reads end of stream");
            LibC.close(sp[1]);
        }
    }

    @Test
    void no_stale_event_reaches_the_next_owner_of_a_reused_fd() throws Exception {
        try (IoUringPoller p = new IoUringPoller()) {
            int[] sp = TestSockets.socketpair();
            PollDesc old = TestDescriptors.withId(1, sp[0]);
            p.open(sp[0], old);
            collect(p, 0);
            p.close(sp[0]);
            LibC.close(sp[0]);
            LibC.close(sp[1]);
            int[] next = TestSockets.socketpair();
            assertEquals(sp[0], next[0], "the kernel reuses the lowest fd number");
            PollDesc now = TestDescriptors.withId(2, next[0]);
            p.open(next[0], now);
            TestSockets.writeByte(next[1], 1);
            List<long[]> seen = new ArrayList<>();
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            while (System.nanoTime() < end) {
                seen.addAll(collect(p, TimeUnit.MILLISECONDS.toNanos(20)));
            }
            for (long[] e : seen) {
                assertEquals(now.token(), e[0], "only the live registration reports");
            }
            assertTrue(seen.stream().anyMatch(e -> (e[1] & Poller.READ) != 0), "the new owner's read edge");
            p.close(next[0]);
            LibC.close(next[0]);
            LibC.close(next[1]);
        }
    }

    @Test
    void a_registration_outlives_the_thread_that_made_it() throws Exception {
        try (IoUringPoller p = new IoUringPoller()) {
            int[] sp = TestSockets.socketpair();
            PollDesc pd = TestDescriptors.withId(3, sp[0]);
            Thread t = new Thread(() -> {
                try {
                    p.open(sp[0], pd);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            t.start();
            t.join();
            collect(p, TimeUnit.MILLISECONDS.toNanos(50));
            TestSockets.writeByte(sp[1], 1);
            List<long[]> ev = new ArrayList<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (ev.stream().noneMatch(e -> (e[1] & Poller.READ) != 0) && System.nanoTime() < end) {
                ev.addAll(collectFor(p, pd.token(), TimeUnit.MILLISECONDS.toNanos(50)));
            }
            assertTrue(ev.stream().anyMatch(e -> (e[1] & Poller.READ) != 0), "read edge after the registering thread ended");
            p.close(sp[0]);
            LibC.close(sp[0]);
            LibC.close(sp[1]);
        }
    }

    @Test
    void a_multishot_poll_ended_by_a_full_completion_queue_is_armed_again() throws Exception {
        // More edges than the CQ has slots, with nobody reaping: the kernel keeps the overflow
        // (IORING_FEAT_NODROP) but ends the multishot request. The next edge must still be seen.
        try (IoUringPoller p = new IoUringPoller()) {
            int[] sp = TestSockets.socketpair();
            PollDesc pd = TestDescriptors.withId(5, sp[0]);
            p.open(sp[0], pd);
            int edges = IoUringPoller.CQ_ENTRIES + 500;
            for (int i = 0; i < edges; i++) {
                TestSockets.writeByte(sp[1], i);
                TestSockets.readByte(sp[0]); // keeps the socket buffer empty: each write is a new edge
            }
            int reported = 0;
            int n;
            while ((n = collectFor(p, pd.token(), 0).size()) > 0) {
                reported += n;
            }
            System.out.printf("%d one-byte writes, %d edges reported%n", edges, reported);
            TestSockets.writeByte(sp[1], 1);
            List<long[]> ev = collectFor(p, pd.token(), TimeUnit.SECONDS.toNanos(2));
            assertTrue(ev.stream().anyMatch(e -> (e[1] & Poller.READ) != 0), "the edge after the overflow is reported");
            p.close(sp[0]);
            LibC.close(sp[0]);
            LibC.close(sp[1]);
        }
    }

    private static final class CountingSink implements io.netpoll.poller.ReadySink {
        long events;

        @Override
        public void ready(long token, int bits) {
            events++;
        }
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    void poll_and_wakeup_allocate_nothing() throws Exception {
        int warmup = 20_000;
        int measured = 20_000;
        CountingSink sink = new CountingSink();
        try (IoUringPoller p = new IoUringPoller(); com.sun.jna.Memory b = new com.sun.jna.Memory(1)) {
            int[] sp = TestSockets.socketpair();
            p.open(sp[0], TestDescriptors.withId(9, sp[0]));
            long buf = com.sun.jna.Pointer.nativeValue(b);
            long before = 0;
            for (int i = 0; i < warmup + measured; i++) {
                if (i == warmup) {
                    before = allocatedBytes();
                }
                LibC.write(sp[1], buf, 1); // a read edge to reap
                LibC.read(sp[0], buf, 1);
                p.poll(0, false, sink);
                p.wakeup();
                p.poll(1_000_000, true, sink);
            }
            long allocated = allocatedBytes() - before;
            System.out.printf("io_uring: %d rounds of edge, polls and wakeup, %d bytes allocated%n", measured, allocated);
            assertTrue(allocated < measured, "allocates per call: " + allocated + " bytes for " + measured + " rounds");
            assertTrue(sink.events >= measured, "events reaped: " + sink.events);
            p.close(sp[0]);
            LibC.close(sp[0]);
            LibC.close(sp[1]);
        }
    }
}
