package io.netpoll.poller;

import io.netpoll.poller.epoll.EpollPoller;
import io.netpoll.poller.sys.LibC;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NetpollTest {
    @Test
    void an_unknown_backend_is_a_clear_error_naming_the_supported_ones() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Netpoll.openBackend("bogus"));
        assertTrue(e.getMessage().contains("bogus") && e.getMessage().contains("epoll"), e.getMessage());
    }

    @Test
    void linux_gets_epoll() {
        assertEquals("epoll", Netpoll.defaultBackend());
        assumeTrue(System.getProperty("netpoll.backend") == null, "this JVM runs the backend -Dnetpoll.backend names");
        assertEquals("epoll", Netpoll.get().stats().backend());
    }

    @Test
    void at_most_one_thread_blocks_in_the_poller_and_wakeup_releases_it() throws Exception {
        try (EpollPoller poller = new EpollPoller()) {
            Netpoll np = attachedNetpoll(poller);
            CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> np.poll(-1));
            awaitBlocked(np);
            long t0 = System.nanoTime();
            assertEquals(-1, np.tryPoll(TimeUnit.SECONDS.toNanos(10), null), "the blocking role is taken");
            np.poll(TimeUnit.SECONDS.toNanos(10));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "a second poller does not block");
            assertFalse(blocked.isDone());
            np.wakeup();
            blocked.get(5, TimeUnit.SECONDS);
            assertFalse(np.isPollerBlocked());
        }
    }

    @Test
    void arming_a_deadline_earlier_than_the_blocked_poll_breaks_it() throws Exception {
        try (EpollPoller poller = new EpollPoller()) {
            Netpoll np = attachedNetpoll(poller);
            int[] sp = TestSockets.socketpair();
            PollDesc pd = np.open(sp[0]);
            np.poll(0); // consume the new socket's initial write-ready edge
            CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> np.poll(TimeUnit.SECONDS.toNanos(30)));
            awaitBlocked(np);
            long wakeups = np.stats().wakeupWrites();
            pd.setDeadline(PollDesc.MODE_READ, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10));
            blocked.get(5, TimeUnit.SECONDS);
            assertEquals(wakeups + 1, np.stats().wakeupWrites());
            pd.evict();
            np.close(pd);
            LibC.close(sp[0]);
            LibC.close(sp[1]);
        }
    }

    /**
     * The dispatcher's workers poll without blocking all the time, so the wakeup that arming a
     * deadline sends to the thread blocked in the poller is often seen first by such a poll. It must
     * still reach the blocked thread, or the deadline fires only when something else wakes it.
     * Driven as {@link NetpollDriver} drives the poller; many rounds, since who sees the wakeup
     * first is up to the scheduler (PollDescConformance forces the losing order on every backend).
     */
    @Test
    void a_deadline_armed_while_a_thread_blocks_in_the_poller_fires_on_time_despite_concurrent_non_blocking_polls()
            throws Exception {
        int rounds = 50;
        long delay = TimeUnit.MILLISECONDS.toNanos(5);
        long bound = TimeUnit.MILLISECONDS.toNanos(500);
        try (EpollPoller poller = new EpollPoller()) {
            Netpoll np = attachedNetpoll(poller);
            int[] sp = TestSockets.socketpair();
            PollDesc pd = np.open(sp[0]);
            AtomicBoolean stop = new AtomicBoolean();
            Thread driver = new Thread(() -> {
                while (!stop.get()) {
                    np.poll(np.runDeadlines(System.nanoTime()));
                }
            }, "test-driver");
            driver.setDaemon(true);
            driver.start();
            long worst = 0;
            try {
                for (int round = 0; round < rounds; round++) {
                    awaitBlocked(np);
                    pd.clearDeadline(PollDesc.MODE_READ);
                    assertEquals(PollDesc.OK, pd.prepare(PollDesc.MODE_READ));
                    PollDescConformance.CountingWaiter w = new PollDescConformance.CountingWaiter();
                    assertEquals(PollDesc.PARKED, pd.waitFor(PollDesc.MODE_READ, w));
                    long due = System.nanoTime() + delay;
                    pd.setDeadline(PollDesc.MODE_READ, due);
                    np.poll(0);
                    while (w.wakes.get() == 0 && System.nanoTime() - due < bound) {
                        np.poll(0);
                    }
                    long late = System.nanoTime() - due;
                    worst = Math.max(worst, late);
                    assertEquals(1, w.wakes.get(), "round " + round + ": the deadline had not fired " + late / 1_000_000 + " ms after it was due");
                    assertEquals(PollDesc.ERR_TIMEOUT, pd.resume(PollDesc.MODE_READ));
                }
            } finally {
                stop.set(true);
                np.wakeup();
                driver.join(5000);
            }
            System.out.printf("deadline armed under a blocked poller with concurrent poll(0): %d rounds, worst %.1f ms late%n",
                    rounds, worst / 1e6);
            pd.evict();
            np.close(pd);
            LibC.close(sp[0]);
            LibC.close(sp[1]);
        }
    }

    /**
     * Edges on a descriptor nobody waits for must not keep the fallback driver in the poller: there
     * every edge would wake it, and the writer that raised it would pay for that. Once nobody
     * parks, it idles; the next waiter brings it back, and its wake is not lost.
     */
    @Test
    void the_fallback_driver_stops_polling_while_nobody_waits_and_polls_again_for_the_next_waiter() throws Exception {
        try (EpollPoller poller = new EpollPoller()) {
            Netpoll np = new Netpoll(poller);
            int[] sp = TestSockets.socketpair();
            PollDesc pd = np.open(sp[0]);
            pd.setDeadline(PollDesc.MODE_READ, System.nanoTime() + TimeUnit.HOURS.toNanos(1)); // starts the driver
            pd.clearDeadline(PollDesc.MODE_READ);
            Thread driver = np.driverThread();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (driver.getState() != Thread.State.WAITING) {
                TestSockets.writeByte(sp[1], 'x'); // an edge nobody waits for
                TestSockets.readByte(sp[0]);
                assertTrue(System.nanoTime() < end, "the driver kept polling with nobody waiting: " + driver.getState());
                Thread.sleep(1);
            }
            long polls = np.stats().blockingPolls();
            for (int i = 0; i < 50; i++) {
                TestSockets.writeByte(sp[1], 'x');
                TestSockets.readByte(sp[0]);
            }
            Thread.sleep(50);
            assertEquals(polls, np.stats().blockingPolls(), "50 unwatched edges woke the idle driver");

            PollDescConformance.CountingWaiter w = new PollDescConformance.CountingWaiter();
            int r;
            do {
                assertEquals(PollDesc.OK, pd.prepare(PollDesc.MODE_READ));
                r = pd.waitFor(PollDesc.MODE_READ, w); // READY left by the edges above is consumed first
            } while (r == PollDesc.OK);
            assertEquals(PollDesc.PARKED, r);
            TestSockets.writeByte(sp[1], 'y');
            end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (w.wakes.get() == 0) {
                assertTrue(System.nanoTime() < end, "the waiter parked on an idle driver was never woken");
                Thread.sleep(1);
            }
            assertEquals(PollDesc.OK, pd.resume(PollDesc.MODE_READ));
            pd.evict();
            np.close(pd);
            LibC.close(sp[0]);
            LibC.close(sp[1]);
        }
    }

    /** A private Netpoll with a driver attached (no fallback thread), its attach wakeup consumed. */
    /**
     * Go's netpoll returns the goroutines it made ready and findRunnable injects them: a poll given
     * a ReadyList takes the waiters out of their slots without waking any, and wakeAll wakes them
     * in the order their events came, on the caller's thread.
     */
    @Test
    void a_poll_hands_the_waiters_it_made_ready_back_instead_of_waking_them() throws Exception {
        try (EpollPoller poller = new EpollPoller()) {
            Netpoll np = attachedNetpoll(poller);
            int[] a = TestSockets.socketpair();
            int[] b = TestSockets.socketpair();
            PollDesc pa = np.open(a[0]);
            PollDesc pb = np.open(b[0]);
            np.poll(0); // the new sockets' initial write-ready edges
            java.util.List<String> woken = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            Waiter wa = new Waiter() {
                @Override
                public void wake() {
                    woken.add("a on " + Thread.currentThread().getName());
                }
            };
            Waiter wb = new Waiter() {
                @Override
                public void wake() {
                    woken.add("b on " + Thread.currentThread().getName());
                }
            };
            assertEquals(PollDesc.OK, pa.prepare(PollDesc.MODE_READ));
            assertEquals(PollDesc.OK, pb.prepare(PollDesc.MODE_READ));
            assertEquals(PollDesc.PARKED, pa.waitFor(PollDesc.MODE_READ, wa));
            assertEquals(PollDesc.PARKED, pb.waitFor(PollDesc.MODE_READ, wb));
            TestSockets.writeByte(a[1], 'x');
            TestSockets.writeByte(b[1], 'y');
            ReadyList ready = new ReadyList();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (ready.size() < 2 && System.nanoTime() < until) {
                np.poll(TimeUnit.MILLISECONDS.toNanos(100), ready);
            }
            assertEquals(2, ready.size());
            assertEquals(java.util.List.of(), woken, "nothing is woken by the poll itself");
            assertEquals(0, np.waiters(), "both left their slots");
            String self = Thread.currentThread().getName();
            ready.wakeAll();
            assertEquals(0, ready.size());
            assertEquals(2, woken.size());
            assertTrue(woken.containsAll(java.util.List.of("a on " + self, "b on " + self)), woken.toString());
            assertEquals(PollDesc.OK, pa.resume(PollDesc.MODE_READ));
            assertEquals(PollDesc.OK, pb.resume(PollDesc.MODE_READ));
            for (PollDesc pd : new PollDesc[] {pa, pb}) {
                pd.evict();
                np.close(pd);
            }
            for (int fd : new int[] {a[0], a[1], b[0], b[1]}) {
                LibC.close(fd);
            }
        }
    }

    private static Netpoll attachedNetpoll(Poller poller) {
        Netpoll np = new Netpoll(poller);
        np.attachDriver();
        np.poll(TimeUnit.MILLISECONDS.toNanos(1));
        return np;
    }

    private static void awaitBlocked(Netpoll np) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!np.isPollerBlocked()) {
            assertTrue(System.nanoTime() < end, "no thread blocked in the poller within 5 s");
            Thread.sleep(1);
        }
    }
}
