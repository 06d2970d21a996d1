package io.netpoll.poller.epoll;

import io.netpoll.poller.PollDesc;
import io.netpoll.poller.Poller;
import io.netpoll.poller.TestDescriptors;
import io.netpoll.poller.TestSockets;
import io.netpoll.poller.sys.LibC;
import io.netpoll.poller.sys.Sys;
import io.netpoll.poller.sys.TestLibC;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The epoll backend against real epoll, eventfd and socketpairs, without Netpoll on top. */
class EpollPollerTest {
    private static List<long[]> collect(EpollPoller p, long timeoutNanos) {
        List<long[]> out = new ArrayList<>();
        p.poll(timeoutNanos, true, (token, bits) -> out.add(new long[] {token, bits}));
        return out;
    }

    @Test
    void timeouts_round_up_to_milliseconds_and_keep_their_meaning() {
        assertEquals(-1, EpollPoller.toMillis(-1));
        assertEquals(0, EpollPoller.toMillis(0));
        assertEquals(1, EpollPoller.toMillis(1));
        assertEquals(1, EpollPoller.toMillis(1_000_000));
        assertEquals(2, EpollPoller.toMillis(1_000_001));
        assertEquals(Integer.MAX_VALUE, EpollPoller.toMillis(Long.MAX_VALUE));
    }

    @Test
    void edge_triggered_readiness_is_reported_once_per_edge() throws Exception {
        try (EpollPoller p = new EpollPoller()) {
            int[] sp = TestSockets.socketpair();
            PollDesc pd = TestDescriptors.withId(42, sp[0]);
            p.open(sp[0], pd);
            collect(p, 0); // initial write-ready edge
            TestSockets.writeByte(sp[1], 1);
            List<long[]> ev = collect(p, TimeUnit.SECONDS.toNanos(1));
            assertEquals(1, ev.size());
            assertEquals(pd.token(), ev.get(0)[0]);
            assertTrue((ev.get(0)[1] & EpollPoller.READ) != 0);
            assertEquals(0, ev.get(0)[1] & EpollPoller.HANGUP, "data alone is no hang-up");
            assertEquals(0, collect(p, 0).size(), "edge-triggered: no repeat without a new edge");
            TestSockets.writeByte(sp[1], 2);
            assertEquals(1, collect(p, TimeUnit.SECONDS.toNanos(1)).size(), "a new edge is reported");
            LibC.close(sp[1]);
            List<long[]> hup = collect(p, TimeUnit.SECONDS.toNanos(1));
            assertEquals(1, hup.size());
            assertTrue((hup.get(0)[1] & EpollPoller.READ) != 0, "peer close reads as readable (RDHUP)");
            assertTrue((hup.get(0)[1] & EpollPoller.HANGUP) != 0, "and is marked as a hang-up: no later read edge");
            p.close(sp[0]);
            LibC.close(sp[0]);
        }
    }

    @Test
    void a_timed_poll_returns_after_its_timeout_and_not_before() throws Exception {
        try (EpollPoller p = new EpollPoller()) {
            long t0 = System.nanoTime();
            assertEquals(0, collect(p, TimeUnit.MILLISECONDS.toNanos(30)).size());
            long took = System.nanoTime() - t0;
            assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(30), "returned early: " + took);
        }
    }

    @Test
    void wakeup_breaks_a_poll_that_would_block_forever() throws Exception {
        try (EpollPoller p = new EpollPoller()) {
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
    void epoll_event_masks_map_to_readiness_as_in_go() {
        assertEquals(Poller.ERROR, EpollPoller.readiness(Sys.EPOLLERR), "EPOLLERR alone is an error and nothing else");
        assertEquals(Poller.READ, EpollPoller.readiness(Sys.EPOLLIN));
        assertEquals(Poller.WRITE, EpollPoller.readiness(Sys.EPOLLOUT));
        assertEquals(Poller.READ | Poller.HANGUP, EpollPoller.readiness(Sys.EPOLLRDHUP), "the peer's FIN");
        assertEquals(Poller.READ | Poller.HANGUP | Poller.WRITE, EpollPoller.readiness(Sys.EPOLLIN | Sys.EPOLLRDHUP | Sys.EPOLLOUT));
        assertEquals(Poller.READ | Poller.HANGUP | Poller.WRITE, EpollPoller.readiness(Sys.EPOLLHUP), "a hang-up wakes both directions");
        assertEquals(Poller.READ | Poller.HANGUP | Poller.WRITE, EpollPoller.readiness(Sys.EPOLLERR | Sys.EPOLLIN),
                "an error with data is both directions, not a bare error");
        assertEquals(0, EpollPoller.readiness(0));
    }

    @Test
    void a_wakeup_survives_a_non_blocking_poll() throws Exception {
        try (EpollPoller p = new EpollPoller()) {
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
        // The JVM installs a handler for SIGPIPE that ignores it: harmless to the process, and, as a
        // caught signal, it interrupts epoll_wait with EINTR (an ignored one would not reach it).
        assertTrue(TestLibC.catches(TestLibC.SIGPIPE), "the JVM catches SIGPIPE");
        try (EpollPoller p = new EpollPoller()) {
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
    void concurrent_wakeups_are_coalesced_into_one_write_per_poll() throws Exception {
        try (EpollPoller p = new EpollPoller()) {
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
            System.out.printf("wakeup storm: %d calls, %d eventfd writes, %d polls%n", threads * each, writes, polls);
            assertTrue(writes <= polls + 1, "each poll consumes at most one write: writes=" + writes + " polls=" + polls);
            // Once consumed, the next wakeup writes again.
            long before = p.wakeupWrites();
            p.wakeup();
            p.wakeup();
            assertEquals(before + 1, p.wakeupWrites());
        }
    }

    private static boolean anyAlive(Thread[] ts) {
        for (Thread t : ts) {
            if (t.isAlive()) {
                return true;
            }
        }
        return false;
    }
}
