package io.netpoll.poller;

import io.netpoll.poller.sys.TestLibC;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@link Poller}'s contract says about timeouts, wakeups and signals, checked against a real
 * kernel backend: a timed poll never returns early, a wakeup breaks a forever poll and survives a
 * non-blocking poll, wakeups are coalesced into one kernel write per consuming poll, and EINTR ends
 * a timed poll early but never a forever one. EpollPollerTest and IoUringPollerTest extend it with
 * their backend; the PollDesc protocol on top is {@link PollDescConformance}'s.
 */
public abstract class RealPollerContract {
    /** A fresh backend of the kind under test. */
    protected abstract Poller open() throws IOException;

    private static List<long[]> collect(Poller p, long timeoutNanos) {
        List<long[]> out = new ArrayList<>();
        p.poll(timeoutNanos, timeoutNanos != 0, (token, bits) -> out.add(new long[] {token, bits}));
        return out;
    }

    private static boolean anyAlive(Thread[] ts) {
        for (Thread t : ts) {
            if (t.isAlive()) {
                return true;
            }
        }
        return false;
    }

    @Test
    void a_timed_poll_returns_after_its_timeout_and_not_before() throws Exception {
        try (Poller p = open()) {
            for (long timeout : new long[] {1, 1_500_000, TimeUnit.MILLISECONDS.toNanos(30)}) {
                long t0 = System.nanoTime();
                assertEquals(0, collect(p, timeout).size());
                long took = System.nanoTime() - t0;
                assertTrue(took >= timeout, "returned early: " + took + " ns for " + timeout);
            }
        }
    }

    @Test
    void wakeup_breaks_a_poll_that_would_block_forever() throws Exception {
        try (Poller p = open()) {
            CountDownLatch returned = new CountDownLatch(1);
            Thread t = new Thread(() -> {
                collect(p, -1);
                returned.countDown();
            });
            t.start();
            Thread.sleep(50);
            p.wakeup();
            assertTrue(returned.await(5, TimeUnit.SECONDS));
            t.join();
        }
    }

    @Test
    void a_wakeup_survives_a_non_blocking_poll() throws Exception {
        try (Poller p = open()) {
            p.wakeup();
            assertEquals(0, p.poll(0, false, (token, bits) -> { }), "a wakeup is not an event");
            long writes = p.wakeupWrites();
            p.wakeup();
            assertEquals(writes, p.wakeupWrites(), "still pending after the non-blocking poll: coalesced");
            long t0 = System.nanoTime();
            p.poll(TimeUnit.SECONDS.toNanos(5), true, (token, bits) -> { });
            long took = System.nanoTime() - t0;
            assertTrue(took < TimeUnit.SECONDS.toNanos(1), "the blocking poll slept " + took / 1_000_000 + " ms");
            p.wakeup();
            assertEquals(writes + 1, p.wakeupWrites(), "the blocking poll consumed it, so the next wakeup writes");
        }
    }

    @Test
    void eintr_does_not_end_a_forever_poll() throws Exception {
        assertTrue(TestLibC.catches(TestLibC.SIGPIPE), "the JVM catches SIGPIPE");
        try (Poller p = open()) {
            CompletableFuture<Integer> tid = new CompletableFuture<>();
            AtomicInteger polls = new AtomicInteger();
            Thread t = new Thread(() -> {
                tid.complete(TestLibC.gettid());
                p.poll(-1, true, (token, bits) -> { });
                polls.incrementAndGet();
            });
            t.start();
            int pid = TestLibC.getpid();
            int id = tid.get(5, TimeUnit.SECONDS);
            Thread.sleep(50);
            for (int i = 1; i <= 5; i++) {
                assertEquals(0, TestLibC.tgkill(pid, id, TestLibC.SIGPIPE), "tgkill");
                Thread.sleep(50);
                assertEquals(0, polls.get(), "signal " + i + " ended the forever poll");
            }
            p.wakeup();
            t.join(5000);
            assertFalse(t.isAlive(), "the wakeup ends it");
        }
    }

    @Test
    void eintr_ends_a_timed_poll_early_with_no_events() throws Exception {
        try (Poller p = open()) {
            CompletableFuture<Integer> tid = new CompletableFuture<>();
            CompletableFuture<Integer> result = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                tid.complete(TestLibC.gettid());
                result.complete(p.poll(TimeUnit.SECONDS.toNanos(30), true, (token, bits) -> { }));
            });
            t.start();
            int id = tid.get(5, TimeUnit.SECONDS);
            Thread.sleep(100);
            assertEquals(0, TestLibC.tgkill(TestLibC.getpid(), id, TestLibC.SIGPIPE), "tgkill");
            assertEquals(0, result.get(5, TimeUnit.SECONDS), "the signal ended the 30 s poll with no events");
            t.join();
        }
    }

    @Test
    void concurrent_wakeups_are_coalesced_into_one_kernel_write_per_poll() throws Exception {
        try (Poller p = open()) {
            int threads = 8;
            int each = 20_000;
            Thread[] ts = new Thread[threads];
            CountDownLatch go = new CountDownLatch(1);
            for (int i = 0; i < threads; i++) {
                ts[i] = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int j = 0; j < each; j++) {
                        p.wakeup();
                    }
                });
                ts[i].start();
            }
            go.countDown();
            int polls = 0;
            while (anyAlive(ts)) {
                collect(p, TimeUnit.MILLISECONDS.toNanos(10));
                polls++;
            }
            collect(p, 1);
            polls++;
            long writes = p.wakeupWrites();
            System.out.printf("wakeup storm: %d calls, %d kernel writes, %d polls%n", threads * each, writes, polls);
            assertTrue(writes <= polls + 1, "each poll consumes at most one wakeup: writes=" + writes + " polls=" + polls);
            long before = p.wakeupWrites();
            p.wakeup();
            p.wakeup();
            assertEquals(before + 1, p.wakeupWrites());
        }
    }
}
