package io.netpoll.poller.fd;

import io.netpoll.DeadlineExceededException;
import io.netpoll.poller.Netpoll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import static io.netpoll.poller.fd.NetFDTest.LOOPBACK_ANY_PORT;
import static io.netpoll.poller.fd.NetFDTest.bytes;
import static io.netpoll.poller.fd.NetFDTest.fillAcceptQueue;
import static io.netpoll.poller.fd.NetFDTest.join;
import static io.netpoll.poller.fd.NetFDTest.readString;
import static io.netpoll.poller.fd.NetFDTest.tcpPair;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Completing a NetFD future from outside (cancel, orTimeout) withdraws its operation, as coroutine
 * cancellation does in net-kt: the bytes, connections and buffer space the peer offers afterwards
 * go to the next call, never to the abandoned one; a cancelled dial closes its socket.
 */
@Timeout(60)
class AsyncCancellationTest {
    private static final long FIVE_SECONDS = TimeUnit.SECONDS.toNanos(5);

    private static int parkedWaiters() {
        return Netpoll.get().stats().waiters();
    }

    private static int openDescriptors() {
        return new File("/proc/self/fd").list().length;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + FIVE_SECONDS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("not within 5 s: " + what);
            }
            Thread.sleep(1);
        }
    }

    @Test
    void a_cancelled_read_takes_nothing_and_the_next_read_gets_the_bytes() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        try (NetFD c = p[0]; NetFD s = p[1]) {
            int before = parkedWaiters();
            ByteBuffer abandoned = ByteBuffer.allocate(4);
            CompletableFuture<Integer> read = c.readAsync(abandoned, NetFD.defaultExecutor());
            await(() -> parkedWaiters() == before + 1, "the read parks");
            assertTrue(read.cancel(true));
            assertTrue(read.isCancelled());
            assertThrows(CancellationException.class, read::join);
            s.write(bytes("next"));
            c.setReadDeadline(System.nanoTime() + FIVE_SECONDS);
            assertEquals("next", readString(c, 4));
            assertEquals(0, abandoned.position(), "the cancelled read's buffer got nothing");
            assertEquals(before, parkedWaiters(), "the waiter left the PollDesc slot");
        }
    }

    @Test
    void a_read_cancelled_after_its_wake_went_to_the_executor_takes_nothing() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        try (NetFD c = p[0]; NetFD s = p[1]) {
            java.util.concurrent.LinkedBlockingQueue<Runnable> held = new java.util.concurrent.LinkedBlockingQueue<>();
            ByteBuffer abandoned = ByteBuffer.allocate(4);
            CompletableFuture<Integer> read = c.readAsync(abandoned, held::add);
            s.write(bytes("next"));
            Runnable resumption = held.poll(5, TimeUnit.SECONDS);
            assertTrue(resumption != null, "the wake hands the read to its executor");
            assertTrue(read.cancel(true), "woken but not yet run: the cancel claims it");
            resumption.run();
            assertTrue(read.isCancelled());
            c.setReadDeadline(System.nanoTime() + FIVE_SECONDS);
            assertEquals("next", readString(c, 4));
            assertEquals(0, abandoned.position(), "the cancelled read's buffer got nothing");
        }
    }

    @Test
    void a_cancelled_scattering_read_takes_nothing() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        try (NetFD c = p[0]; NetFD s = p[1]) {
            int before = parkedWaiters();
            ByteBuffer[] abandoned = {ByteBuffer.allocateDirect(2), ByteBuffer.allocateDirect(2)};
            CompletableFuture<Long> read = c.readAsync(abandoned, NetFD.defaultExecutor());
            await(() -> parkedWaiters() == before + 1, "the read parks");
            assertTrue(read.cancel(false));
            s.write(bytes("next"));
            c.setReadDeadline(System.nanoTime() + FIVE_SECONDS);
            assertEquals("next", readString(c, 4));
            assertEquals(0, abandoned[0].position() + abandoned[1].position());
        }
    }

    @Test
    void a_read_queued_behind_another_and_cancelled_hands_the_lock_on() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        try (NetFD c = p[0]; NetFD s = p[1]) {
            int before = parkedWaiters();
            CompletableFuture<Integer> first = c.readAsync(ByteBuffer.allocate(1), NetFD.defaultExecutor());
            await(() -> parkedWaiters() == before + 1, "the first read parks");
            ByteBuffer abandoned = ByteBuffer.allocate(8);
            CompletableFuture<Integer> queued = c.readAsync(abandoned, NetFD.defaultExecutor());
            assertTrue(queued.cancel(true));
            s.write(bytes("a"));
            assertEquals(1, join(first));
            s.write(bytes("bcd"));
            c.setReadDeadline(System.nanoTime() + FIVE_SECONDS);
            assertEquals("bcd", readString(c, 3), "the lock handed to the cancelled read was passed on");
            assertEquals(0, abandoned.position());
        }
    }

    @Test
    void a_read_completed_from_outside_by_or_timeout_is_withdrawn_too() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        try (NetFD c = p[0]; NetFD s = p[1]) {
            CompletableFuture<Integer> read = c.readAsync(ByteBuffer.allocate(4), NetFD.defaultExecutor())
                    .orTimeout(50, TimeUnit.MILLISECONDS);
            ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(5, TimeUnit.SECONDS));
            assertInstanceOf(TimeoutException.class, e.getCause());
            s.write(bytes("next"));
            c.setReadDeadline(System.nanoTime() + FIVE_SECONDS);
            assertEquals("next", readString(c, 4));
        }
    }

    /**
     * The write parks once the peer's receive window and our send buffer are full; cancelled, it
     * sends nothing more, and its buffer's position says exactly how much the peer will receive.
     */
    @Test
    void a_cancelled_write_sends_nothing_more_and_its_position_says_what_was_sent() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        try (NetFD c = p[0]; NetFD s = p[1]) {
            s.setReceiveBufferSize(1 << 16);
            int before = parkedWaiters();
            ByteBuffer src = NetFDTest.filled(8 << 20, 'w');
            CompletableFuture<Integer> write = c.writeAsync(src, NetFD.defaultExecutor());
            await(() -> parkedWaiters() == before + 1, "the write parks on a full socket");
            assertTrue(write.cancel(true));
            int sent = src.position();
            assertTrue(sent > 0 && sent < src.capacity(), "sent " + sent);
            CompletableFuture<Integer> mark = c.writeAsync(bytes("!"), NetFD.defaultExecutor());
            s.setReadDeadline(System.nanoTime() + FIVE_SECONDS);
            ByteBuffer in = ByteBuffer.allocateDirect(1 << 16);
            long received = 0;
            for (;;) {
                in.clear();
                int n = s.read(in);
                in.flip();
                if (in.get(n - 1) == '!') {
                    received += n - 1;
                    break;
                }
                received += n;
            }
            assertEquals(1, join(mark));
            assertEquals(sent, received, "the peer got exactly the bytes the position counts, then the next write");
            assertEquals(sent, src.position(), "the cancelled write sent nothing more");
            System.out.println("AsyncCancellationTest: write cancelled after " + sent + " bytes; the peer received exactly those, then the next write");
        }
    }

    @Test
    void a_cancelled_gathering_write_sends_nothing_more() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        try (NetFD c = p[0]; NetFD s = p[1]) {
            s.setReceiveBufferSize(1 << 16);
            int before = parkedWaiters();
            ByteBuffer[] srcs = {NetFDTest.filled(4 << 20, 'w'), NetFDTest.filled(4 << 20, 'w')};
            CompletableFuture<Long> write = c.writeAsync(srcs, NetFD.defaultExecutor());
            await(() -> parkedWaiters() == before + 1, "the write parks on a full socket");
            assertTrue(write.cancel(true));
            long sent = srcs[0].position() + srcs[1].position();
            CompletableFuture<Integer> mark = c.writeAsync(bytes("!"), NetFD.defaultExecutor());
            s.setReadDeadline(System.nanoTime() + FIVE_SECONDS);
            ByteBuffer in = ByteBuffer.allocateDirect(1 << 16);
            long received = 0;
            for (;;) {
                in.clear();
                int n = s.read(in);
                if (in.get(n - 1) == '!') {
                    received += n - 1;
                    break;
                }
                received += n;
            }
            assertEquals(1, join(mark));
            assertEquals(sent, received);
        }
    }

    @Test
    void a_cancelled_accept_leaves_the_connection_for_the_next_accept() throws Exception {
        try (NetFD ln = NetFD.listen(LOOPBACK_ANY_PORT, 16, false)) {
            int fds = openDescriptors();
            int before = parkedWaiters();
            CompletableFuture<NetFD> accept = ln.acceptAsync(NetFD.defaultExecutor());
            await(() -> parkedWaiters() == before + 1, "the accept parks");
            assertTrue(accept.cancel(true));
            try (NetFD c = NetFD.dial(ln.localAddress(), FIVE_SECONDS)) {
                ln.setReadDeadline(System.nanoTime() + FIVE_SECONDS);
                try (NetFD s = ln.accept()) {
                    assertEquals(c.localAddress(), s.remoteAddress());
                }
            }
            assertTrue(openDescriptors() <= fds, "no descriptor left behind (another test's descriptors may close meanwhile; a leak adds)");
        }
    }

    @Test
    void a_cancelled_dial_closes_its_socket() throws Exception {
        try (NetFD ln = NetFD.listen(LOOPBACK_ANY_PORT, 0, false)) {
            List<NetFD> fill = fillAcceptQueue(ln);
            try {
                int fds = openDescriptors();
                int before = parkedWaiters();
                CompletableFuture<NetFD> dial = NetFD.dialAsync(ln.localAddress(), 0, NetFD.defaultExecutor());
                await(() -> parkedWaiters() == before + 1, "the dial waits for the handshake");
                assertEquals(fds + 1, openDescriptors());
                assertTrue(dial.cancel(true));
                assertTrue(dial.isCancelled());
                assertTrue(openDescriptors() <= fds, "the dial's socket is closed (another test's descriptors may close meanwhile; a leak adds)");
                assertEquals(before, parkedWaiters());
            } finally {
                fill.forEach(NetFD::close);
            }
        }
    }

    /**
     * net-kt's CancellationSpec race for futures: the peer sends a burst while the reader cancels
     * its pending read at a random moment. A cancelled read must have taken nothing; one that
     * could not be cancelled completes with the bytes it took; blocking and async reads then take
     * the rest. Every byte must arrive exactly once and in order.
     */
    @Test
    void cancellation_racing_with_data_arrival_never_loses_or_duplicates_bytes() throws Exception {
        int iterations = 1_000;
        ExecutorService exec = Executors.newFixedThreadPool(2);
        ExecutorService peer = Executors.newSingleThreadExecutor();
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        int fds = openDescriptors();
        int waiters = parkedWaiters();
        try (NetFD c = p[0]; NetFD s = p[1]) {
            c.setReadDeadline(System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            int next = 0;
            int expected = 0;
            int cancelled = 0;
            int completed = 0;
            long bytes = 0;
            for (int i = 0; i < iterations; i++) {
                int burst = 1 + rnd.nextInt(5);
                ByteBuffer out = ByteBuffer.allocateDirect(burst);
                for (int k = 0; k < burst; k++) {
                    out.put((byte) next++);
                }
                out.flip();
                ByteBuffer dst = ByteBuffer.allocate(1 + rnd.nextInt(4));
                CompletableFuture<Integer> read = c.readAsync(dst, exec);
                CompletableFuture<Integer> sent = CompletableFuture.supplyAsync(() -> {
                    try {
                        return s.write(out);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, peer);
                long spin = System.nanoTime() + rnd.nextInt(60_000);
                while (System.nanoTime() - spin < 0) {
                    Thread.onSpinWait();
                }
                int got = 0;
                if (read.cancel(true)) {
                    cancelled++;
                    assertTrue(read.isCancelled());
                    assertEquals(0, dst.position(), "a cancelled read took nothing");
                } else {
                    completed++;
                    got = join(read);
                    assertTrue(got > 0 && got == dst.position(), "completed with " + got);
                    for (int k = 0; k < got; k++) {
                        assertEquals((byte) expected++, dst.get(k), "byte " + (expected - 1));
                    }
                }
                assertEquals(burst, join(sent));
                // The rest of the burst, alternately through blocking and async reads.
                while (got < burst) {
                    ByteBuffer rest = ByteBuffer.allocate(burst - got);
                    int n = (i & 1) == 0 ? c.read(rest) : join(c.readAsync(rest, exec));
                    assertTrue(n > 0, "read " + n);
                    for (int k = 0; k < n; k++) {
                        assertEquals((byte) expected++, rest.get(k), "byte " + (expected - 1));
                    }
                    got += n;
                }
                bytes += burst;
            }
            assertEquals(waiters, parkedWaiters(), "no waiter left in a slot");
            System.out.println("AsyncCancellationTest: " + iterations + " reads raced with data: " + cancelled
                    + " cancelled, " + completed + " completed first; " + bytes + " bytes verified exactly once, in order");
        } finally {
            exec.shutdown();
            peer.shutdown();
        }
        assertEquals(fds - 2, openDescriptors(), "the pair closed, nothing else left open");
    }

    /** The same race for accept and dial: every connection is accepted exactly once, nothing leaks. */
    @Test
    void cancelling_accepts_and_dials_racing_with_connections_leaks_no_descriptor() throws Exception {
        int iterations = 200;
        int fds = openDescriptors();
        ExecutorService exec = Executors.newFixedThreadPool(2);
        int acceptsCancelled = 0;
        int dialsCancelled = 0;
        try (NetFD ln = NetFD.listen(LOOPBACK_ANY_PORT, 64, false)) {
            ln.setReadDeadline(System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            for (int i = 0; i < iterations; i++) {
                CompletableFuture<NetFD> accept = ln.acceptAsync(exec);
                CompletableFuture<NetFD> dial = NetFD.dialAsync(ln.localAddress(), FIVE_SECONDS, exec);
                long spin = System.nanoTime() + rnd.nextInt(100_000);
                while (System.nanoTime() - spin < 0) {
                    Thread.onSpinWait();
                }
                boolean dialCancelled = (i & 1) == 0 && dial.cancel(true);
                NetFD accepted = null;
                if (accept.cancel(true)) {
                    acceptsCancelled++;
                } else {
                    accepted = join(accept);
                }
                if (dialCancelled) {
                    dialsCancelled++;
                } else {
                    try (NetFD c = join(dial)) {
                        // A dial cancelled after the kernel's handshake left its connection queued:
                        // accept past those to the one just dialled.
                        while (accepted == null || !accepted.remoteAddress().equals(c.localAddress())) {
                            if (accepted != null) {
                                accepted.close();
                            }
                            accepted = ln.accept();
                        }
                    }
                }
                if (accepted != null) {
                    accepted.close();
                }
            }
            // Connections whose dial was cancelled after the handshake wait, reset, in the queue.
            for (;;) {
                ln.setReadDeadline(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100));
                try {
                    ln.accept().close();
                } catch (DeadlineExceededException drained) {
                    break;
                }
            }
        } finally {
            exec.shutdown();
        }
        System.out.println("AsyncCancellationTest: " + iterations + " accept/dial pairs raced with cancel: "
                + acceptsCancelled + " accepts and " + dialsCancelled + " dials cancelled; descriptors " + fds + " before, "
                + openDescriptors() + " after");
        assertTrue(openDescriptors() <= fds, "no descriptor left behind (another test's descriptors may close meanwhile; a leak adds)");
        assertFalse(acceptsCancelled == 0, "the race never hit a pending accept");
    }
}
