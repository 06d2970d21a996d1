package io.netpoll.poller;

import io.netpoll.poller.kqueue.KqueuePoller;
import io.netpoll.poller.sys.LibC;
import io.netpoll.testing.LogCapture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The conformance suite on the kqueue backend through its real JNA binding, over OUR shim
 * ({@code src/test/c/kqueue_shim.c}, a small kqueue/kevent over Linux epoll written for these
 * tests): NOT libkqueue, and no evidence about a real kqueue's behaviour, only that the shim's
 * semantics (its head comment) are enough for the backend. What it does prove: the binding path of
 * {@code -Dnetpoll.kqueue.library} works, and every value crossing JNA (the changelist pointer and
 * count, the event array, the timespec, udata, the 32-byte kevent layout of the libkqueue table)
 * arrives intact at a C {@code kevent()} working on real sockets.
 *
 * <p>gcc compiles the shim into a temporary directory before the first test; without gcc the class
 * is skipped with the reason printed. The library is bound once per JVM, so this class runs in a
 * JVM of its own (poller-java/pom.xml, execution kqueue-binding-own-jvm) and points
 * {@code -Dnetpoll.kqueue.library} at the shim before anything binds. {@link KqueuePoller}'s
 * no-argument constructor then picks the libkqueue table, deletes both filters on close and wakes
 * through its wake channel instead of EVFILT_USER, as a user on Linux gets it.
 */
class PollDescOnKqueueShimTest extends PollDescConformance {
    @BeforeAll
    static void buildTheShimAndSelectIt() throws Exception {
        KqueueShim.buildAndSelect("PollDescOnKqueueShimTest");
    }

    @Override
    protected Poller newPoller() throws Exception {
        return new KqueuePoller();
    }

    @Test
    void a_zero_timespec_does_not_wait_and_a_timed_one_waits_its_time() throws Exception {
        try (KqueuePoller p = new KqueuePoller()) {
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                long t0 = System.nanoTime();
                assertEquals(0, p.poll(0, false, (token, bits) -> { }));
                assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(500), "no wait");
                t0 = System.nanoTime();
                assertEquals(0, p.poll(TimeUnit.MILLISECONDS.toNanos(50), true, (token, bits) -> { }));
                assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(50), "not early");
            });
        }
    }

    @Test
    void a_wakeup_ends_a_forever_poll_and_is_not_an_event() throws Exception {
        try (KqueuePoller p = new KqueuePoller()) {
            CountDownLatch returned = new CountDownLatch(1);
            int[] events = {-1};
            Thread t = new Thread(() -> {
                events[0] = p.poll(-1, true, (token, bits) -> { });
                returned.countDown();
            });
            t.setDaemon(true);
            t.start();
            Thread.sleep(20);
            p.wakeup();
            assertTrue(returned.await(5, TimeUnit.SECONDS), "the wakeup (a byte on the wake channel over a library) broke the forever poll");
            assertEquals(0, events[0]);
            assertEquals(1, p.wakeupWrites());
            long t0 = System.nanoTime();
            p.poll(TimeUnit.MILLISECONDS.toNanos(50), true, (token, bits) -> { });
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(50), "consumed by the blocking poll: it ends no later wait");
            p.wakeup();
            assertEquals(2, p.wakeupWrites(), "and the next wakeup triggers again");
        }
    }

    @Test
    void close_deletes_both_filters_quietly_and_the_fd_can_be_registered_again() throws Exception {
        int[] pair = TestSockets.socketpair();
        try (LogCapture log = LogCapture.of(Netpoll.LOGGER); KqueuePoller p = new KqueuePoller()) {
            p.open(pair[0], TestDescriptors.withId(1, pair[0]));
            p.close(pair[0]);
            PollDesc again = TestDescriptors.withId(2, pair[0]);
            p.open(pair[0], again);
            p.poll(0, false, (token, bits) -> { });
            TestSockets.writeByte(pair[1], 1);
            List<long[]> seen = new ArrayList<>();
            p.poll(TimeUnit.SECONDS.toNanos(5), true, (token, bits) -> seen.add(new long[] {token, bits}));
            assertTrue(seen.stream().anyMatch(e -> e[0] == again.token() && e[1] == Poller.READ), "the new registration reads");
            assertTrue(seen.stream().allMatch(e -> e[0] == again.token()), "and nothing else reports");
            assertEquals(List.of(), log.records(), "neither EV_DELETE failed");
        } finally {
            LibC.close(pair[0]);
            LibC.close(pair[1]);
        }
    }
}
