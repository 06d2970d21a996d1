package io.netpoll.poller.fd;

import io.netpoll.poller.Waiter;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FdMutexTest {
    static final class CountingWaiter extends Waiter {
        final AtomicInteger wakes = new AtomicInteger();

        @Override
        public void wake() {
            wakes.incrementAndGet();
        }
    }

    /** The lock as a blocking caller takes it: at once, or queued with a waiter that parks this thread. */
    static int rwlock(FdMutex mu, boolean read) {
        Thread self = Thread.currentThread();
        FdMutex.Node node = new FdMutex.Node(new Waiter() {
            @Override
            public void wake() {
                LockSupport.unpark(self);
            }
        });
        if (mu.rwlockAsync(read, node)) {
            return FdMutex.ACQUIRED;
        }
        while (node.result() == FdMutex.Node.PENDING) {
            LockSupport.park(mu);
        }
        return node.result();
    }

    @Test
    void reads_and_writes_proceed_in_parallel() {
        FdMutex mu = new FdMutex();
        assertEquals(FdMutex.ACQUIRED, rwlock(mu, true));
        assertEquals(FdMutex.ACQUIRED, rwlock(mu, false));
        assertFalse(mu.rwunlock(true));
        assertFalse(mu.rwunlock(false));
    }

    @Test
    void a_second_reader_waits_until_the_first_leaves_and_gets_the_lock_handed_over() throws Exception {
        FdMutex mu = new FdMutex();
        assertEquals(FdMutex.ACQUIRED, rwlock(mu, true));
        CompletableFuture<Integer> second = CompletableFuture.supplyAsync(() -> rwlock(mu, true));
        Thread.sleep(100);
        assertFalse(second.isDone(), "readers are serialised");
        FdMutex.Node async = new FdMutex.Node(new CountingWaiter());
        assertFalse(mu.rwlockAsync(true, async), "an async reader queues behind");
        mu.rwunlock(true);
        assertEquals(FdMutex.ACQUIRED, second.get(5, TimeUnit.SECONDS));
        assertEquals(-1, async.result(), "FIFO: the async reader is still queued");
        mu.rwunlock(true);
        assertEquals(FdMutex.ACQUIRED, async.result());
        assertEquals(1, ((CountingWaiter) async.waiter).wakes.get());
        mu.rwunlock(true);
    }

    @Test
    void close_fails_queued_callers_and_later_calls_and_the_last_reference_destroys() throws Exception {
        FdMutex mu = new FdMutex();
        assertEquals(FdMutex.ACQUIRED, rwlock(mu, true));
        CountDownLatch queued = new CountDownLatch(1);
        CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> {
            queued.countDown();
            return rwlock(mu, true);
        });
        queued.await();
        Thread.sleep(100);
        assertTrue(mu.increfAndClose());
        assertFalse(mu.increfAndClose(), "second close is a no-op");
        assertEquals(FdMutex.CLOSED_WHILE_QUEUED, waiting.get(5, TimeUnit.SECONDS));
        assertEquals(FdMutex.CLOSED_BEFORE, rwlock(mu, false));
        assertFalse(mu.incref());
        assertFalse(mu.decref(), "the reader is still in flight: do not destroy yet");
        assertTrue(mu.rwunlock(true), "the last reference leaving destroys the fd");
    }

    @Test
    void tryRwlock_takes_a_free_lock_and_never_queues() {
        FdMutex mu = new FdMutex();
        assertTrue(mu.tryRwlock(true));
        assertFalse(mu.tryRwlock(true), "held: fails at once instead of queueing");
        assertTrue(mu.tryRwlock(false), "the write lock is independent");
        assertFalse(mu.rwunlock(true));
        assertFalse(mu.rwunlock(false));
        assertTrue(mu.increfAndClose());
        assertFalse(mu.tryRwlock(true), "closed");
        assertTrue(mu.decref(), "no reference was left behind by the failed attempts");
    }

    @Test
    void unbalanced_unlock_fails_loudly() {
        FdMutex mu = new FdMutex();
        assertThrows(IllegalStateException.class, () -> mu.rwunlock(true));
        assertThrows(IllegalStateException.class, mu::decref);
    }

    @Test
    void contended_readers_never_overlap() throws Exception {
        FdMutex mu = new FdMutex();
        int threads = 8;
        int each = 20_000;
        int[] counter = {0};
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicReference<String> failure = new AtomicReference<>();
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            ts[i] = new Thread(() -> {
                for (int j = 0; j < each; j++) {
                    int r = rwlock(mu, true);
                    if (r != FdMutex.ACQUIRED) {
                        failure.compareAndSet(null, "rwlock returned " + r + " on an open mutex");
                        return;
                    }
                    if (inside.incrementAndGet() != 1) {
                        overlaps.incrementAndGet();
                    }
                    counter[0]++;
                    inside.decrementAndGet();
                    mu.rwunlock(true);
                }
            });
            ts[i].start();
        }
        for (Thread t : ts) {
            t.join(60_000);
        }
        System.out.printf("fdMutex: %d contended read locks, %d overlaps%n", threads * each, overlaps.get());
        assertNull(failure.get());
        assertEquals(0, overlaps.get());
        assertEquals(threads * each, counter[0]);
    }
}
