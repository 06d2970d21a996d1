package io.netpoll.poller.iocp;

import io.netpoll.poller.PollDesc;
import io.netpoll.poller.Poller;
import io.netpoll.poller.TestDescriptors;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The IOCP backend's per-socket state machine under concurrency: a blocking poller, two threads
 * re-arming at random and the "driver" completing polls at random, for a bounded time. It must
 * never have two polls in flight for one socket, never throw, and never strand a socket: at the
 * end every socket, re-armed for both directions, still reports.
 */
class IocpPollerStressTest {
    private static final int SOCKETS = 8;
    private static final long RUN_MILLIS = 700;

    @Test
    void rearm_cancel_and_completion_races_keep_one_poll_per_socket_and_lose_nothing() throws Exception {
        IocpModel m = new IocpModel();
        AtomicLong reported = new AtomicLong();
        AtomicLong rearms = new AtomicLong();
        AtomicLong completions = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        try (IocpPoller p = new IocpPoller(m)) {
            PollDesc[] pds = new PollDesc[SOCKETS];
            for (int i = 0; i < SOCKETS; i++) {
                pds[i] = TestDescriptors.withId(i, 100 + 4 * i);
                p.open(100 + 4 * i, pds[i]);
            }
            Thread poller = new Thread(() -> {
                while (!stop.get()) {
                    p.poll(TimeUnit.MILLISECONDS.toNanos(1), true, (t, b) -> reported.incrementAndGet());
                }
            });
            Runnable rearmer = () -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                while (!stop.get()) {
                    PollDesc pd = pds[r.nextInt(SOCKETS)];
                    p.rearm(pd.fd(), pd.token(), r.nextBoolean() ? Poller.READ : Poller.WRITE);
                    rearms.incrementAndGet();
                }
            };
            Runnable completer = () -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                int[] events = {Afd.POLL_RECEIVE, Afd.POLL_SEND, Afd.POLL_RECEIVE | Afd.POLL_SEND};
                while (!stop.get()) {
                    List<IocpModel.PollRequest> pending = m.pending();
                    if (pending.isEmpty()) {
                        Thread.onSpinWait();
                        continue;
                    }
                    if (m.tryComplete(pending.get(r.nextInt(pending.size())), events[r.nextInt(3)])) {
                        completions.incrementAndGet();
                    }
                }
            };
            Thread[] workers = {poller, new Thread(rearmer), new Thread(rearmer), new Thread(completer)};
            for (Thread t : workers) {
                t.setUncaughtExceptionHandler((t1, e) -> failure.compareAndSet(null, e));
                t.start();
            }
            Thread.sleep(RUN_MILLIS);
            stop.set(true);
            for (Thread t : workers) {
                t.join(5_000);
            }
            assertNull(failure.get(), () -> "a thread failed: " + failure.get());
            while (p.poll(0, false, (t, b) -> reported.incrementAndGet()) > 0 || m.queued() > 0) {
                // drain completions still queued
            }
            System.out.printf("iocp stress: %d re-arms, %d completions, %d events reported, %d AFD polls issued%n",
                    rearms.get(), completions.get(), reported.get(), m.submitted.size());
            assertEquals(0, m.overlappingSubmits, "two polls in flight for one socket");
            assertTrue(completions.get() > 100, "the race actually ran: " + completions.get());

            long[] seen = new long[SOCKETS];
            for (PollDesc pd : pds) {
                p.rearm(pd.fd(), pd.token(), Poller.READ);
                p.rearm(pd.fd(), pd.token(), Poller.WRITE);
            }
            while (p.poll(0, false, (t, b) -> { }) > 0 || m.queued() > 0) {
                // let cancelled polls come back and be re-issued
            }
            for (int i = 0; i < SOCKETS; i++) {
                List<IocpModel.PollRequest> rs = m.pendingFor(100 + 4 * i);
                assertEquals(1, rs.size(), "socket " + i + " has exactly one poll in flight");
                assertEquals(Afd.eventsFor(Poller.READ | Poller.WRITE), rs.get(0).events, "socket " + i + " polls both directions");
                m.complete(rs.get(0), Afd.POLL_RECEIVE | Afd.POLL_SEND, Afd.STATUS_SUCCESS);
            }
            p.poll(0, false, (t, b) -> seen[(int) (t >>> 32)] |= b);
            for (int i = 0; i < SOCKETS; i++) {
                assertEquals(Poller.READ | Poller.WRITE, seen[i], "socket " + i + " still reports");
            }
        }
    }
}
