package io.netpoll.poller.fd;

import io.netpoll.DeadlineExceededException;
import io.netpoll.poller.PollDesc;
import io.netpoll.poller.sys.Sys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A deadline moved while armed ends a waiting read at the new time, whichever way it moved: a
 * later one is left in place in the timer heap and placed again when the old time comes
 * (Netpoll.armDeadline), an earlier one is placed at once. Moving it later takes no lock, and of
 * such a move and the old deadline firing at the same moment exactly one wins.
 */
@Timeout(30)
class DeadlineMoveTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void a_deadline_moved_later_ends_the_read_at_the_later_time_not_the_first() throws Exception {
        NetFD[] p = NetFD.socketPair(Sys.SOCK_STREAM);
        try (NetFD a = p[0]; NetFD b = p[1]) {
            long start = System.nanoTime();
            a.setReadDeadline(start + 100 * MS);
            a.setReadDeadline(start + 200 * MS); // moved later, twice, while armed
            a.setReadDeadline(start + 600 * MS);
            assertThrows(DeadlineExceededException.class, () -> a.read(ByteBuffer.allocate(1)));
            long waited = (System.nanoTime() - start) / MS;
            assertTrue(waited >= 590, "ended after " + waited + " ms, before the moved deadline (600 ms)");
        }
    }

    @Test
    void a_deadline_moved_earlier_ends_the_read_at_the_earlier_time() throws Exception {
        NetFD[] p = NetFD.socketPair(Sys.SOCK_STREAM);
        try (NetFD a = p[0]; NetFD b = p[1]) {
            long start = System.nanoTime();
            a.setReadDeadline(start + 10_000 * MS);
            a.setReadDeadline(start + 150 * MS);
            assertThrows(DeadlineExceededException.class, () -> a.read(ByteBuffer.allocate(1)));
            long waited = (System.nanoTime() - start) / MS;
            assertTrue(waited >= 140 && waited < 5_000, "ended after " + waited + " ms, not at the moved deadline (150 ms)");
        }
    }

    @Test
    void a_read_waiting_when_its_deadline_is_moved_later_keeps_waiting_until_then() throws Exception {
        NetFD[] p = NetFD.socketPair(Sys.SOCK_STREAM);
        try (NetFD a = p[0]; NetFD b = p[1]) {
            long start = System.nanoTime();
            a.setReadDeadline(start + 150 * MS);
            Thread mover = new Thread(() -> {
                try {
                    Thread.sleep(50);
                    a.setReadDeadline(start + 500 * MS);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            mover.start();
            assertThrows(DeadlineExceededException.class, () -> a.read(ByteBuffer.allocate(1)));
            long waited = (System.nanoTime() - start) / MS;
            mover.join();
            assertTrue(waited >= 490, "ended after " + waited + " ms, before the moved deadline (500 ms)");
        }
    }
    @Test
    void moving_an_armed_deadline_later_takes_no_lock() throws Exception {
        NetFD[] p = NetFD.socketPair(Sys.SOCK_STREAM);
        try (NetFD a = p[0]; NetFD b = p[1]) {
            a.setReadDeadline(System.nanoTime() + 10_000 * MS);
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(1);
            Thread holder = new Thread(() -> {
                synchronized (a.pd) { // the lock every other deadline change takes
                    held.countDown();
                    try {
                        done.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            holder.start();
            held.await();
            try {
                CountDownLatch moved = new CountDownLatch(1);
                Thread mover = new Thread(() -> {
                    try {
                        a.setReadDeadline(System.nanoTime() + 20_000 * MS);
                        moved.countDown();
                        a.setDeadline(System.nanoTime() + 30_000 * MS); // the write side is not armed: locked
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
                mover.start();
                assertTrue(moved.await(5, TimeUnit.SECONDS), "the read deadline moved later while the lock was held");
                long end = System.nanoTime() + 5_000 * MS;
                while (mover.getState() != Thread.State.BLOCKED && System.nanoTime() < end) {
                    Thread.sleep(1);
                }
                assertEquals(Thread.State.BLOCKED, mover.getState(), "arming the unarmed write deadline takes the lock");
                done.countDown();
                mover.join(5_000);
                assertTrue(!mover.isAlive());
            } finally {
                done.countDown();
                holder.join();
            }
        }
    }

    @Test
    void a_move_later_racing_the_old_deadline_leaves_the_descriptor_unexpired() throws Exception {
        // Whichever wins, the move (the timer is placed again) or the firing (the move then takes
        // the locked path, which clears the expiry), a deadline set in the future leaves reads
        // unexpired once the call returns, and no stale firing expires them afterwards.
        NetFD[] p = NetFD.socketPair(Sys.SOCK_STREAM);
        try (NetFD a = p[0]; NetFD b = p[1]) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int i = 0; i < 3_000; i++) {
                long due = System.nanoTime() + random.nextLong(20_000, 300_000);
                a.setReadDeadline(due);
                long moveAt = due + random.nextLong(-60_000, 60_000);
                while (System.nanoTime() - moveAt < 0) {
                    Thread.onSpinWait();
                }
                a.setReadDeadline(System.nanoTime() + 10_000 * MS);
                assertEquals(PollDesc.OK, a.pd.checkErr(PollDesc.MODE_READ), "move " + i + ": expired at once");
                if (i % 50 == 0) {
                    Thread.sleep(1); // let a firing in flight finish
                }
                assertEquals(PollDesc.OK, a.pd.checkErr(PollDesc.MODE_READ), "move " + i + ": expired by the old deadline");
            }
        }
    }
}
