package io.netpoll.poller;

import io.netpoll.DeadlineExceededException;
import io.netpoll.poller.epoll.EpollPoller;
import io.netpoll.poller.fd.NetFD;
import io.netpoll.poller.sys.LibC;
import io.netpoll.poller.sys.Sys;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bounded stress runs over the process Netpoll and its driver thread, or a private one; each prints what it did. */
class StressTest {
    /** Echoes each pair end with CompletableFuture reads and writes until EOF. */
    private static void echoAsync(NetFD fd, ByteBuffer buf, ExecutorService exec) {
        buf.clear();
        fd.readAsync(buf, exec).thenCompose(n -> {
            if (n < 0) {
                fd.close();
                return CompletableFuture.completedFuture(-1);
            }
            buf.flip();
            return fd.writeAsync(buf, exec);
        }).whenComplete((n, e) -> {
            if (e == null && n >= 0) {
                echoAsync(fd, buf, exec);
            } else {
                fd.close();
            }
        });
    }

    @Test
    void a_thousand_socketpairs_times_a_hundred_round_trips_lose_no_wakeup() throws Exception {
        roundTrips("stress", 1000, 100, 50);
    }

    /**
     * {@code pairs} socketpairs, each echoed by CompletableFuture reads and writes, and {@code threads}
     * threads doing {@code rounds} blocking round trips over their share of them, each checked; over
     * the process Netpoll, whatever its backend. A lost wakeup ends a read at its 20 s deadline.
     */
    static void roundTrips(String label, int pairs, int rounds, int threads) throws Exception {
        ExecutorService exec = Executors.newFixedThreadPool(2);
        NetFD[][] sp = new NetFD[pairs][];
        for (int i = 0; i < pairs; i++) {
            sp[i] = NetFD.socketPair(Sys.SOCK_STREAM);
            echoAsync(sp[i][1], ByteBuffer.allocateDirect(8), exec);
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong trips = new AtomicLong();
        long t0 = System.nanoTime();
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int first = t * (pairs / threads);
            ts[t] = new Thread(() -> {
                ByteBuffer out = ByteBuffer.allocateDirect(8);
                ByteBuffer in = ByteBuffer.allocateDirect(8);
                try {
                    for (int r = 0; r < rounds; r++) {
                        for (int i = first; i < first + pairs / threads; i++) {
                            NetFD fd = sp[i][0];
                            fd.setReadDeadline(System.nanoTime() + TimeUnit.SECONDS.toNanos(20));
                            out.clear();
                            out.putInt(i).putInt(r).flip();
                            fd.write(out);
                            in.clear();
                            while (in.hasRemaining()) {
                                if (fd.read(in) < 0) {
                                    throw new IOException("unexpected EOF");
                                }
                            }
                            in.flip();
                            assertEquals(i, in.getInt());
                            assertEquals(r, in.getInt());
                            trips.incrementAndGet();
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join(120_000);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        for (NetFD[] p : sp) {
            p[0].close();
        }
        exec.shutdown();
        System.out.printf("%s: %d socketpairs, %d round trips by %d threads in %d ms; %s%n",
                label, pairs, trips.get(), threads, ms, Netpoll.get().stats());
        assertNull(failure.get(), () -> "failure: " + failure.get());
        assertEquals((long) pairs * rounds, trips.get());
    }

    @Test
    void wakeup_storms_do_not_disturb_io_or_cost_a_write_each() throws Exception {
        Netpoll np = Netpoll.get();
        NetFD[] sp = NetFD.socketPair(Sys.SOCK_STREAM);
        AtomicBoolean stop = new AtomicBoolean();
        long writesBefore = np.stats().wakeupWrites();
        AtomicLong calls = new AtomicLong();
        List<Thread> stormers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    np.wakeup();
                    calls.incrementAndGet();
                }
            });
            t.start();
            stormers.add(t);
        }
        try (NetFD a = sp[0]; NetFD b = sp[1]) {
            ByteBuffer buf = ByteBuffer.allocateDirect(1);
            for (int i = 0; i < 2000; i++) {
                buf.clear();
                buf.put((byte) i).flip();
                a.write(buf);
                buf.clear();
                b.setReadDeadline(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
                assertEquals(1, b.read(buf));
                assertEquals((byte) i, buf.get(0));
            }
        } finally {
            stop.set(true);
            for (Thread t : stormers) {
                t.join();
            }
        }
        long writes = np.stats().wakeupWrites() - writesBefore;
        System.out.printf("wakeup storm over live I/O: %d wakeup calls, %d eventfd writes%n", calls.get(), writes);
        assertTrue(writes < calls.get() / 10, "coalesced: " + writes + " writes for " + calls.get() + " calls");
    }

    @Test
    void repeated_100ms_deadlines_fire_within_a_bounded_window_and_never_early() throws Exception {
        long deadline = TimeUnit.MILLISECONDS.toNanos(100);
        long window = TimeUnit.MILLISECONDS.toNanos(400);
        NetFD[] sp = NetFD.socketPair(Sys.SOCK_STREAM);
        long min = Long.MAX_VALUE;
        long max = 0;
        try (NetFD a = sp[0]; NetFD b = sp[1]) {
            for (int i = 0; i < 10; i++) {
                long t0 = System.nanoTime();
                b.setReadDeadline(t0 + deadline);
                try {
                    b.read(ByteBuffer.allocate(1));
                    throw new AssertionError("read returned without data");
                } catch (DeadlineExceededException expected) {
                    long took = System.nanoTime() - t0;
                    min = Math.min(min, took);
                    max = Math.max(max, took);
                    assertTrue(took >= deadline, "fired early: " + took);
                    assertTrue(took < deadline + window, "fired late: " + took);
                }
            }
        }
        System.out.printf("deadline fluctuation: 10 x 100 ms, fired after %.1f..%.1f ms%n", min / 1e6, max / 1e6);
    }

    /**
     * fdseq under churn: descriptors are closed while the poller holds an event for them, and their
     * PollDesc and fd number are reused at once. The event then reaches {@link Netpoll} after the
     * reuse and must be dropped, never wake the new owner's reader. A private Netpoll (few PollDescs,
     * so reuse is immediate) over real epoll; its poller delivers each batch 1 ms after harvesting
     * it, which widens the window a real poller crosses in microseconds.
     */
    @Test
    void events_for_closed_descriptors_never_wake_the_reader_of_a_reused_one() throws Exception {
        int threads = 4;
        int iterations = 200;
        Set<Long> closedTokens = ConcurrentHashMap.newKeySet();
        DelayedDelivery poller = new DelayedDelivery(new EpollPoller(), TimeUnit.MILLISECONDS.toNanos(1), closedTokens);
        Netpoll np = new Netpoll(poller);
        np.attachDriver();
        AtomicBoolean stop = new AtomicBoolean();
        Thread driver = new Thread(() -> {
            while (!stop.get()) {
                np.poll(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }, "test-driver");
        driver.start();
        AtomicLong crossed = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            ts[t] = new Thread(() -> {
                try {
                    for (int i = 0; i < iterations; i++) {
                        int[] old = TestSockets.socketpair();
                        PollDesc pd = np.open(old[0]);
                        TestSockets.writeByte(old[1], 1); // a read event for this registration
                        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200)); // the poller takes it
                        closedTokens.add(pd.token());
                        pd.evict();
                        np.close(pd);
                        LibC.close(old[0]);
                        LibC.close(old[1]);

                        int[] fresh = TestSockets.socketpair();
                        PollDesc next = np.open(fresh[0]);
                        assertEquals(PollDesc.OK, next.prepare(PollDesc.MODE_READ));
                        assertEquals(-1, TestSockets.readByte(fresh[0]), "nothing written to the fresh pair");
                        PollDescConformance.CountingWaiter w = new PollDescConformance.CountingWaiter();
                        assertEquals(PollDesc.PARKED, next.waitFor(PollDesc.MODE_READ, w));
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // late events arrive now
                        crossed.addAndGet(w.wakes.get());
                        next.evict();
                        np.close(next);
                        LibC.close(fresh[0]);
                        LibC.close(fresh[1]);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join(60_000);
        }
        stop.set(true);
        driver.join(5_000);
        poller.close();
        System.out.printf("fdseq churn: %d descriptors closed under a pending event and reused, "
                        + "%d late events delivered, %d woke a reused descriptor's reader%n",
                threads * iterations, poller.late.get(), crossed.get());
        assertNull(failure.get(), () -> "failure: " + failure.get());
        assertTrue(poller.late.get() > 0, "no event arrived after its descriptor closed: the race was not exercised");
        assertEquals(0, crossed.get(), "late events woke the readers of reused descriptors");
    }

    /** A backend whose events reach Netpoll {@code delayNanos} after the kernel reported them. */
    private static final class DelayedDelivery extends ForwardingPoller {
        private final long delayNanos;
        private final Set<Long> closedTokens;
        private final long[] tokens = new long[128];
        private final int[] bits = new int[128];
        private int n;
        final AtomicLong late = new AtomicLong();

        DelayedDelivery(EpollPoller backend, long delayNanos, Set<Long> closedTokens) {
            super(backend);
            this.delayNanos = delayNanos;
            this.closedTokens = closedTokens;
        }

        @Override
        public int poll(long timeoutNanos, boolean blocking, ReadySink sink) {
            n = 0;
            backend.poll(timeoutNanos, blocking, (token, b) -> {
                tokens[n] = token;
                bits[n++] = b;
            });
            if (n > 0) {
                LockSupport.parkNanos(delayNanos);
            }
            for (int i = 0; i < n; i++) {
                if (closedTokens.contains(tokens[i])) {
                    late.incrementAndGet();
                }
                sink.ready(tokens[i], bits[i]);
            }
            return n;
        }
    }
}
