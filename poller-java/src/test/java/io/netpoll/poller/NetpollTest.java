package io.netpoll.poller;

import io.netpoll.poller.epoll.EpollPoller;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetpollTest {
    @Test
    void an_unknown_backend_is_a_clear_error_naming_the_supported_ones() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Netpoll.openBackend("bogus"));
        assertTrue(e.getMessage().contains("bogus") && e.getMessage().contains("epoll"), e.getMessage());
    }

    @Test
    void linux_gets_epoll() {
        assertEquals("epoll", Netpoll.defaultBackend());
        assertEquals("epoll", Netpoll.get().backendName());
    }

    @Test
    void at_most_one_thread_blocks_in_the_poller_and_wakeup_releases_it() throws Exception {
        Netpoll np = new Netpoll(new EpollPoller());
        np.attachDriver();
        np.poll(0); // consume the wakeup that attaching sends to a running driver
        CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> np.poll(-1));
        awaitBlocked(np);
        long t0 = System.nanoTime();
        assertEquals(-1, np.tryPoll(TimeUnit.SECONDS.toNanos(10)), "the blocking role is taken");
        np.poll(TimeUnit.SECONDS.toNanos(10));
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "a second poller does not block");
        assertFalse(blocked.isDone());
        np.wakeup();
        blocked.get(5, TimeUnit.SECONDS);
        assertFalse(np.isPollerBlocked());
    }

    @Test
    void arming_a_deadline_earlier_than_the_blocked_poll_breaks_it() throws Exception {
        Netpoll np = new Netpoll(new EpollPoller());
        np.attachDriver();
        np.poll(0); // consume the wakeup that attaching sends to a running driver
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
        io.netpoll.poller.sys.LibC.close(sp[0]);
        io.netpoll.poller.sys.LibC.close(sp[1]);
    }

    private static void awaitBlocked(Netpoll np) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!np.isPollerBlocked()) {
            assertTrue(System.nanoTime() < end, "no thread blocked in the poller within 5 s");
            Thread.sleep(1);
        }
    }
}
