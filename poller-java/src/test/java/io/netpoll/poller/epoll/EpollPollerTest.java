package io.netpoll.poller.epoll;

import io.netpoll.poller.PollDesc;
import io.netpoll.poller.TestDescriptors;
import io.netpoll.poller.TestSockets;
import io.netpoll.poller.sys.LibC;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
            collect(p, 0);
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
