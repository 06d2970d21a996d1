package io.netpoll.poller.fd;

import io.netpoll.poller.Netpoll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.netpoll.poller.fd.NetFDTest.LOOPBACK_ANY_PORT;
import static io.netpoll.poller.fd.NetFDTest.bytes;
import static io.netpoll.poller.fd.NetFDTest.readString;
import static io.netpoll.poller.fd.NetFDTest.tcpPair;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Interrupting a thread blocked in a NetFD call ends the call with InterruptedIOException, keeps
 * the interrupt status, and withdraws the operation (IoOp's withdrawal): nothing is read, a lock
 * it queued for goes on to the next caller, and the descriptor serves the next call.
 */
@Timeout(60)
class InterruptTest {
    private static final long FIVE_SECONDS = TimeUnit.SECONDS.toNanos(5);

    /** Runs {@code read} on a new thread; returns its outcome: the count, or what it threw, and whether it kept its interrupt. */
    private static CompletableFuture<Object[]> readOnThread(NetFD fd, ByteBuffer dst, AtomicReference<Thread> thread) {
        CompletableFuture<Object[]> outcome = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            Object r;
            try {
                r = fd.read(dst);
            } catch (Throwable e) {
                r = e;
            }
            outcome.complete(new Object[] {r, Thread.currentThread().isInterrupted()});
        });
        thread.set(t);
        t.start();
        return outcome;
    }

    private static void awaitState(Thread t, Thread.State state) throws InterruptedException {
        long end = System.nanoTime() + FIVE_SECONDS;
        while (t.getState() != state) {
            assertTrue(System.nanoTime() - end < 0, "the thread never reached " + state);
            Thread.sleep(1);
        }
    }

    @Test
    void a_read_waiting_for_data_ends_with_InterruptedIOException_and_takes_nothing() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        try (NetFD c = p[0]; NetFD s = p[1]) {
            int before = Netpoll.get().stats().waiters();
            AtomicReference<Thread> t = new AtomicReference<>();
            ByteBuffer abandoned = ByteBuffer.allocate(4);
            CompletableFuture<Object[]> read = readOnThread(c, abandoned, t);
            awaitState(t.get(), Thread.State.WAITING);
            t.get().interrupt();
            Object[] outcome = read.get(5, TimeUnit.SECONDS);
            assertInstanceOf(InterruptedIOException.class, outcome[0]);
            assertEquals(true, outcome[1], "the interrupt status is kept");
            assertEquals(before, Netpoll.get().stats().waiters(), "the waiter left the PollDesc slot");
            s.write(bytes("next"));
            c.setReadDeadline(System.nanoTime() + FIVE_SECONDS);
            assertEquals("next", readString(c, 4));
            assertEquals(0, abandoned.position(), "the interrupted read's buffer got nothing");
        }
    }

    @Test
    void a_read_queued_behind_another_reader_is_interruptible_and_the_lock_goes_on() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        try (NetFD c = p[0]; NetFD s = p[1]) {
            assertTrue(c.mu.tryRwlock(true)); // another reader holds the lock
            AtomicReference<Thread> t = new AtomicReference<>();
            CompletableFuture<Object[]> read = readOnThread(c, ByteBuffer.allocate(4), t);
            awaitState(t.get(), Thread.State.WAITING);
            t.get().interrupt();
            assertInstanceOf(InterruptedIOException.class, read.get(5, TimeUnit.SECONDS)[0]);
            c.readUnlock(); // hands the lock to the withdrawn read's node, which gives it back
            s.write(bytes("next"));
            c.setReadDeadline(System.nanoTime() + FIVE_SECONDS);
            assertEquals("next", readString(c, 4), "the lock was not left with the interrupted reader");
        }
    }

    @Test
    void an_interrupted_thread_reads_nothing_even_when_data_is_queued() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        try (NetFD c = p[0]; NetFD s = p[1]) {
            s.write(bytes("data"));
            c.setReadDeadline(System.nanoTime() + FIVE_SECONDS);
            Thread.currentThread().interrupt();
            try {
                assertThrows(InterruptedIOException.class, () -> c.read(ByteBuffer.allocate(4)));
                assertTrue(Thread.currentThread().isInterrupted(), "the interrupt status is kept");
            } finally {
                Thread.interrupted();
            }
            assertEquals("data", readString(c, 4), "the bytes stayed in the socket");
        }
    }
}
