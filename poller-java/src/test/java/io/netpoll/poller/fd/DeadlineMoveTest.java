package io.netpoll.poller.fd;

import io.netpoll.DeadlineExceededException;
import io.netpoll.poller.sys.Sys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A deadline moved while armed ends a waiting read at the new time, whichever way it moved: a
 * later one is left in place in the timer heap and placed again when the old time comes
 * (Netpoll.armDeadline), an earlier one is placed at once.
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
}
