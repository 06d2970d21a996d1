package io.netpoll.poller;

import com.sun.jna.Native;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.poller.sys.Errno;
import io.netpoll.poller.sys.LibC;
import io.netpoll.testing.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static io.netpoll.poller.PollDesc.MODE_READ;
import static io.netpoll.poller.PollDesc.MODE_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PollDesc conformance suite: the slot protocol of {@link PollDesc} and the readiness every
 * backend must deliver for it, on a private {@link Netpoll} whose polling the test drives by hand
 * (a driver is attached, so no background thread races with the assertions). Real socketpairs
 * throughout. One subclass per backend that can run here; a backend passes by passing all of it.
 *
 * <p>Events no real socket produces on demand (a late one for a closed registration, a spurious
 * one, an error) go through {@link #deliver}: an {@link InjectingPoller} between the Netpoll and
 * the backend hands them to the Netpoll's sink on the next poll, where the backend would put them.
 * Reads go through {@link #injectRead}, which a subclass overrides when it can make its backend's
 * own poll return them. Readiness may be spurious on kqueue, so the suite checks that a woken
 * caller who meets EAGAIN waits again and still gets the real edge.
 */
abstract class PollDescConformance {
    private GatedPoller poller;
    private InjectingPoller injector;
    private Netpoll np;
    private int[] pair;
    private PollDesc pd;

    static final class CountingWaiter extends Waiter {
        final AtomicInteger wakes = new AtomicInteger();

        @Override
        public void wake() {
            wakes.incrementAndGet();
        }
    }

    /** A fresh backend; called once per test. */
    protected abstract Poller newPoller() throws Exception;

    /** Has {@link Poller#READ} for {@code token} reported on {@code fd}, whatever the socket's state. */
    protected void injectRead(Netpoll np, int fd, long token) {
        deliver(token, Poller.READ);
    }

    /** Has the next poll report {@code bits} for {@code token}, and polls without waiting: Netpoll's sink handles them now. */
    private void deliver(long token, int bits) {
        injector.inject(token, bits);
        np.poll(0);
    }

    /** True if the backend reports the write filter with every read edge (a spurious write wake). */
    protected boolean reportsSpuriousWrites() {
        return false;
    }

    @BeforeEach
    void open() throws Exception {
        injector = new InjectingPoller(newPoller());
        poller = new GatedPoller(injector);
        np = new Netpoll(poller);
        np.attachDriver();
        pair = TestSockets.socketpair();
        pd = np.open(pair[0]);
    }

    @AfterEach
    void close() throws Exception {
        pd.evict();
        np.close(pd);
        LibC.close(pair[0]);
        LibC.close(pair[1]);
        poller.close();
    }

    private void pollUntil(java.util.function.BooleanSupplier cond) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!cond.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "condition not reached within 5 s");
            np.poll(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    @Test
    void readiness_seen_before_the_wait_is_consumed_without_parking() {
        assertEquals(PollDesc.OK, pd.prepare(MODE_READ));
        TestSockets.writeByte(pair[1], 1);
        np.poll(TimeUnit.SECONDS.toNanos(1));
        CountingWaiter w = new CountingWaiter();
        assertEquals(PollDesc.OK, pd.waitFor(MODE_READ, w));
        assertEquals(0, w.wakes.get());
        assertEquals(0, np.waiters());
    }

    @Test
    void a_parked_waiter_is_woken_exactly_once_by_readiness() {
        pd.prepare(MODE_READ);
        np.poll(0); // drain the initial write-ready edge
        CountingWaiter w = new CountingWaiter();
        assertEquals(PollDesc.PARKED, pd.waitFor(MODE_READ, w));
        assertEquals(1, np.waiters());
        TestSockets.writeByte(pair[1], 7);
        pollUntil(() -> w.wakes.get() > 0);
        np.poll(0);
        assertEquals(1, w.wakes.get());
        assertEquals(PollDesc.OK, pd.resume(MODE_READ));
        assertEquals(0, np.waiters());
        assertEquals(7, TestSockets.readByte(pair[0]));
    }

    @Test
    void a_second_waiter_on_the_same_slot_fails_loudly() {
        pd.prepare(MODE_READ);
        assertEquals(PollDesc.PARKED, pd.waitFor(MODE_READ, new CountingWaiter()));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pd.waitFor(MODE_READ, new CountingWaiter()));
        assertTrue(e.getMessage().contains("double wait"), e.getMessage());
    }

    @Test
    void evict_wakes_readers_and_writers_with_closing() {
        pd.prepare(MODE_READ);
        pd.prepare(MODE_WRITE);
        CountingWaiter r = new CountingWaiter();
        CountingWaiter w = new CountingWaiter();
        assertEquals(PollDesc.PARKED, pd.waitFor(MODE_READ, r));
        assertEquals(PollDesc.PARKED, pd.waitFor(MODE_WRITE, w));
        int seq = pd.fdseq();
        pd.evict();
        assertEquals(1, r.wakes.get());
        assertEquals(1, w.wakes.get());
        assertEquals(PollDesc.ERR_CLOSING, pd.resume(MODE_READ));
        assertEquals(PollDesc.ERR_CLOSING, pd.resume(MODE_WRITE));
        assertNotEquals(seq, pd.fdseq(), "evict moves fdseq on");
        assertEquals(PollDesc.ERR_CLOSING, pd.waitFor(MODE_READ, r), "later waits fail at once");
    }

    @Test
    void a_passed_deadline_fails_at_once_and_wakes_a_parked_waiter() {
        pd.prepare(MODE_READ);
        CountingWaiter r = new CountingWaiter();
        assertEquals(PollDesc.PARKED, pd.waitFor(MODE_READ, r));
        pd.setDeadline(MODE_READ, System.nanoTime() - 1);
        assertEquals(1, r.wakes.get());
        assertEquals(PollDesc.ERR_TIMEOUT, pd.resume(MODE_READ));
        assertEquals(PollDesc.ERR_TIMEOUT, pd.prepare(MODE_READ));
        assertEquals(PollDesc.OK, pd.prepare(MODE_WRITE), "the other direction is unaffected");
    }

    @Test
    void a_deadline_timer_wakes_the_waiter_when_due_and_not_before() {
        long now = System.nanoTime();
        long deadline = now + TimeUnit.SECONDS.toNanos(10);
        pd.setDeadline(MODE_READ, deadline);
        pd.prepare(MODE_READ);
        CountingWaiter r = new CountingWaiter();
        assertEquals(PollDesc.PARKED, pd.waitFor(MODE_READ, r));
        long left = np.runDeadlines(deadline - 1);
        assertEquals(1, left);
        assertEquals(0, r.wakes.get(), "not early");
        assertEquals(-1, np.runDeadlines(deadline));
        assertEquals(1, r.wakes.get());
        assertEquals(PollDesc.ERR_TIMEOUT, pd.resume(MODE_READ));
    }

    @Test
    void moving_a_deadline_while_parked_applies_to_that_wait() {
        long now = System.nanoTime();
        long first = now + TimeUnit.SECONDS.toNanos(10);
        long later = now + TimeUnit.SECONDS.toNanos(20);
        pd.setDeadline(MODE_READ, first);
        pd.prepare(MODE_READ);
        CountingWaiter r = new CountingWaiter();
        assertEquals(PollDesc.PARKED, pd.waitFor(MODE_READ, r));
        pd.setDeadline(MODE_READ, later);
        np.runDeadlines(first + 1);
        assertEquals(0, r.wakes.get(), "the moved deadline no longer fires at the first time");
        np.runDeadlines(later);
        assertEquals(1, r.wakes.get());
        assertEquals(PollDesc.ERR_TIMEOUT, pd.resume(MODE_READ));
    }

    @Test
    void clearing_a_deadline_lets_calls_block_again() {
        pd.setDeadline(MODE_READ | MODE_WRITE, System.nanoTime() - 1);
        assertEquals(PollDesc.ERR_TIMEOUT, pd.waitFor(MODE_READ, new CountingWaiter()));
        assertEquals(PollDesc.ERR_TIMEOUT, pd.waitFor(MODE_WRITE, new CountingWaiter()));
        pd.clearDeadline(MODE_READ);
        pd.prepare(MODE_READ);
        assertEquals(PollDesc.PARKED, pd.waitFor(MODE_READ, new CountingWaiter()));
        assertEquals(PollDesc.ERR_TIMEOUT, pd.prepare(MODE_WRITE));
    }

    @Test
    void cancelled_waits_are_taken_back_and_a_delivered_wake_cannot_be_cancelled() {
        pd.prepare(MODE_READ);
        CountingWaiter r = new CountingWaiter();
        assertEquals(PollDesc.PARKED, pd.waitFor(MODE_READ, r));
        assertTrue(pd.cancelWait(MODE_READ, r));
        assertEquals(0, np.waiters());
        assertEquals(PollDesc.PARKED, pd.waitFor(MODE_READ, r), "the slot is free for the next wait");
        pd.setDeadline(MODE_READ, System.nanoTime() - 1);
        assertEquals(1, r.wakes.get());
        assertTrue(!pd.cancelWait(MODE_READ, r), "already woken");
    }

    @Test
    void a_late_event_for_a_closed_and_reused_descriptor_does_not_wake_the_new_owner() throws Exception {
        TestSockets.writeByte(pair[1], 1);  // an event is pending for the old registration
        long staleToken = pd.token();
        int oldFd = pair[0];
        pd.evict();
        np.close(pd);
        LibC.close(pair[0]);
        LibC.close(pair[1]);

        pair = TestSockets.socketpair();
        assertEquals(oldFd, pair[0], "the kernel hands out the lowest free fd number again");
        PollDesc reused = np.open(pair[0]);
        assertSame(pd, reused, "the cache hands out the same PollDesc again");
        pd = reused;
        pd.prepare(MODE_READ);
        CountingWaiter w = new CountingWaiter();
        assertEquals(PollDesc.PARKED, pd.waitFor(MODE_READ, w));

        injectRead(np, pair[0], staleToken);  // the poller delivers the old event late
        assertEquals(0, w.wakes.get(), "stale event dropped by fdseq");
        injectRead(np, pair[0], pd.token());
        assertEquals(1, w.wakes.get(), "a current event still wakes");
    }

    @Test
    void a_waiter_whose_wake_throws_cannot_stop_the_other_direction_from_waking() {
        pd.prepare(MODE_READ);
        pd.prepare(MODE_WRITE);
        Waiter broken = new Waiter() {
            @Override
            public void wake() {
                throw new IllegalStateException("broken waiter (expected in this test)");
            }
        };
        CountingWaiter w = new CountingWaiter();
        assertEquals(PollDesc.PARKED, pd.waitFor(MODE_READ, broken));
        assertEquals(PollDesc.PARKED, pd.waitFor(MODE_WRITE, w));
        List<LogRecord> reported;
        try (LogCapture log = LogCapture.of(Netpoll.LOGGER)) {
            deliver(pd.token(), Poller.READ | Poller.WRITE);
            reported = log.records();
        }
        assertEquals(1, reported.size(), "the failure is logged: " + reported);
        assertEquals(Level.SEVERE, reported.get(0).getLevel(), "as an error");
        assertInstanceOf(IllegalStateException.class, reported.get(0).getThrown(), "with the waiter's exception");
        assertEquals(1, w.wakes.get(), "and the writer is still woken");
    }

    @Test
    void a_bare_error_event_fails_reads_only() {
        pd.prepare(MODE_READ);
        deliver(pd.token(), Poller.ERROR);
        assertEquals(PollDesc.ERR_NOT_POLLABLE, pd.checkErr(MODE_READ));
        assertEquals(PollDesc.OK, pd.checkErr(MODE_WRITE));
        deliver(pd.token(), Poller.READ);
        assertEquals(PollDesc.OK, pd.checkErr(MODE_READ), "a later normal event clears it");
    }

    @Test
    void a_socket_error_an_event_carried_is_seen_by_the_woken_writer_once_and_forgotten_on_reuse() {
        int econnrefused = 111;
        pd.prepare(MODE_WRITE);
        int[] seen = {-1};
        Waiter w = new Waiter() {
            @Override
            public void wake() {
                seen[0] = pd.takeEventErrno();
            }
        };
        assertEquals(PollDesc.PARKED, pd.waitFor(MODE_WRITE, w));
        deliver(pd.token(), Poller.READ | Poller.WRITE | Poller.HANGUP | (econnrefused << Poller.ERRNO_SHIFT));
        assertEquals(econnrefused, seen[0], "woken, and the error was recorded before the wake");
        assertEquals(0, pd.takeEventErrno(), "taken once");
        deliver(pd.token(), Poller.READ | Poller.HANGUP | (econnrefused << Poller.ERRNO_SHIFT));
        deliver(pd.token(), Poller.WRITE | Poller.HANGUP);
        assertEquals(PollDesc.OK, pd.checkErr(MODE_READ), "it fails nothing by itself");
        pd.init(pair[0]);
        assertEquals(0, pd.takeEventErrno(), "a reused descriptor starts without one");
    }

    @Test
    void the_peer_closing_wakes_a_parked_reader() {
        pd.prepare(MODE_READ);
        np.poll(0);
        CountingWaiter r = new CountingWaiter();
        assertEquals(PollDesc.PARKED, pd.waitFor(MODE_READ, r));
        LibC.close(pair[1]);
        pair[1] = -1;
        pollUntil(() -> r.wakes.get() > 0);
        assertEquals(PollDesc.OK, pd.resume(MODE_READ));
        try (Memory m = new Memory(1)) {
            assertEquals(0, LibC.read(pair[0], Pointer.nativeValue(m), 1), "end of stream");
        }
    }

    @Test
    void a_writer_parked_on_a_full_send_buffer_is_woken_when_the_peer_drains_it() {
        np.poll(0); // the initial write edge
        pd.prepare(MODE_WRITE);
        long written = fill(pair[0]);
        assertTrue(written > 0);
        CountingWaiter w = new CountingWaiter();
        assertEquals(PollDesc.PARKED, pd.waitFor(MODE_WRITE, w));
        np.poll(TimeUnit.MILLISECONDS.toNanos(20));
        assertEquals(0, w.wakes.get(), "still full: no write edge");
        drain(pair[1]);
        pollUntil(() -> w.wakes.get() > 0);
        assertEquals(PollDesc.OK, pd.resume(MODE_WRITE));
    }

    @Test
    void a_second_read_edge_is_delivered_after_the_first_was_consumed() {
        for (int round = 1; round <= 3; round++) {
            pd.prepare(MODE_READ);
            assertEquals(-1, TestSockets.readByte(pair[0]), "nothing to read yet (EAGAIN)");
            CountingWaiter r = new CountingWaiter();
            assertEquals(PollDesc.PARKED, pd.waitFor(MODE_READ, r), "round " + round + ": no readiness left over");
            TestSockets.writeByte(pair[1], round);
            pollUntil(() -> r.wakes.get() > 0);
            assertEquals(PollDesc.OK, pd.resume(MODE_READ));
            assertEquals(round, TestSockets.readByte(pair[0]));
        }
    }

    @Test
    void a_spurious_read_wake_meets_eagain_and_the_reader_waits_again_for_the_real_byte() {
        np.poll(0); // the initial write edge
        pd.prepare(MODE_READ);
        assertEquals(-1, TestSockets.readByte(pair[0]), "nothing to read yet (EAGAIN)");
        CountingWaiter r = new CountingWaiter();
        assertEquals(PollDesc.PARKED, pd.waitFor(MODE_READ, r));
        injectRead(np, pair[0], pd.token()); // readiness with no data behind it
        assertEquals(1, r.wakes.get());
        assertEquals(PollDesc.OK, pd.resume(MODE_READ));
        assertEquals(-1, TestSockets.readByte(pair[0]), "the retry meets EAGAIN");
        CountingWaiter again = new CountingWaiter();
        assertEquals(PollDesc.PARKED, pd.waitFor(MODE_READ, again), "the wake consumed the readiness: wait again");
        TestSockets.writeByte(pair[1], 42);
        pollUntil(() -> again.wakes.get() > 0);
        assertEquals(PollDesc.OK, pd.resume(MODE_READ));
        assertEquals(42, TestSockets.readByte(pair[0]));
    }

    @Test
    void a_spurious_write_wake_meets_eagain_and_the_writer_waits_again_for_room() {
        np.poll(0); // the initial write edge
        pd.prepare(MODE_WRITE);
        assertTrue(fill(pair[0]) > 0);
        CountingWaiter w = new CountingWaiter();
        assertEquals(PollDesc.PARKED, pd.waitFor(MODE_WRITE, w));
        TestSockets.writeByte(pair[1], 1); // a read edge, and on some kqueues a write one with it
        np.poll(TimeUnit.MILLISECONDS.toNanos(20));
        if (reportsSpuriousWrites()) {
            assertEquals(1, w.wakes.get(), "the backend reported the write filter with the read edge");
        } else {
            assertEquals(0, w.wakes.get(), "no room, so no write edge");
            deliver(pd.token(), Poller.WRITE);
            assertEquals(1, w.wakes.get());
        }
        assertEquals(PollDesc.OK, pd.resume(MODE_WRITE));
        assertEquals(-Errno.EAGAIN, writeByte(pair[0]), "the retry meets EAGAIN");
        CountingWaiter again = new CountingWaiter();
        assertEquals(PollDesc.PARKED, pd.waitFor(MODE_WRITE, again), "the wake consumed the readiness: wait again");
        drain(pair[1]);
        pollUntil(() -> again.wakes.get() > 0);
        assertEquals(PollDesc.OK, pd.resume(MODE_WRITE));
        assertEquals(1, writeByte(pair[0]));
    }

    @Test
    void a_deadline_armed_while_a_thread_blocks_fires_though_a_non_blocking_poll_saw_the_wakeup_first() throws Exception {
        np.poll(TimeUnit.MILLISECONDS.toNanos(1)); // a blocking poll consumes the wakeup attaching sent
        assertEquals(PollDesc.OK, pd.prepare(MODE_READ));
        CountingWaiter r = new CountingWaiter();
        assertEquals(PollDesc.PARKED, pd.waitFor(MODE_READ, r));
        poller.hold();
        AtomicBoolean stop = new AtomicBoolean();
        Thread driver = new Thread(() -> {
            while (!stop.get()) {
                np.poll(np.runDeadlines(System.nanoTime()));
            }
        }, "test-driver");
        driver.setDaemon(true);
        driver.start();
        try {
            assertTrue(poller.awaitHeld(), "the driver's forever poll reached the backend");
            long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            pd.setDeadline(MODE_READ, due); // earlier than the blocked poll's wake-up: breaks it
            np.poll(0);                     // sees that wakeup before the blocked poll does
            poller.release();
            long end = due + TimeUnit.SECONDS.toNanos(2);
            while (r.wakes.get() == 0 && System.nanoTime() < end) {
                Thread.sleep(1);
            }
            long late = System.nanoTime() - due;
            assertEquals(1, r.wakes.get(), "the deadline had not fired " + late / 1_000_000 + " ms after it was due");
            assertTrue(late < TimeUnit.SECONDS.toNanos(1), "fired " + late / 1_000_000 + " ms late");
            assertEquals(PollDesc.ERR_TIMEOUT, pd.resume(MODE_READ));
        } finally {
            stop.set(true);
            np.wakeup();
            driver.join(5000);
        }
    }

    /** One write(2) of one byte: 1, or minus the errno. */
    private static long writeByte(int fd) {
        try (Memory m = new Memory(1)) {
            m.setByte(0, (byte) 7);
            long n = LibC.write(fd, Pointer.nativeValue(m), 1);
            return n < 0 ? -Native.getLastError() : n;
        }
    }

    /** Writes until EAGAIN; returns the bytes written. */
    private static long fill(int fd) {
        long total = 0;
        try (Memory m = new Memory(65536)) {
            m.clear();
            for (;;) {
                long n = LibC.write(fd, Pointer.nativeValue(m), 65536);
                if (n <= 0) {
                    return total;
                }
                total += n;
            }
        }
    }

    private static void drain(int fd) {
        try (Memory m = new Memory(65536)) {
            while (LibC.read(fd, Pointer.nativeValue(m), 65536) > 0) {
                // keep reading until EAGAIN
            }
        }
    }
}
