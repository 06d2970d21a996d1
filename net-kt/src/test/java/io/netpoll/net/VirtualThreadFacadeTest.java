package io.netpoll.net;

import io.netpoll.poller.Netpoll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.DataInputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java facade's blocking calls on virtual threads: acceptBlocking, readBlocking, writeBlocking,
 * the streams and dialBlocking park a virtual thread and give its carrier back, so a thousand of
 * them blocked at once need no more than two carriers (the scheduler is limited to two before the
 * first virtual thread exists, with no extra carriers to compensate). A call that held its carrier
 * would stop the other 998 from ever running.
 *
 * <p>Runs in fresh JVMs, so no Kotlin scheduler drives the poller: on JDK 25 in the surefire
 * execution of the {@code virtual-threads} profile, and in the {@code isolated} execution, where on
 * JDK 17 it is skipped with the reason printed. Compiled for Java 17, so virtual threads are
 * started reflectively.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VirtualThreadFacadeTest {
    private static final int CARRIERS = 2;
    private static Method ofVirtual;

    @BeforeAll
    static void requireVirtualThreads() {
        try {
            ofVirtual = Thread.class.getMethod("ofVirtual");
        } catch (NoSuchMethodException e) {
            String reason = "virtual threads need JDK 21+, this is " + Runtime.version()
                    + " (the virtual-threads profile runs this class on JDK 25)";
            System.out.println("SKIP VirtualThreadFacadeTest: " + reason);
            Assumptions.abort(reason);
        }
        System.setProperty("jdk.virtualThreadScheduler.parallelism", String.valueOf(CARRIERS));
        System.setProperty("jdk.virtualThreadScheduler.maxPoolSize", String.valueOf(CARRIERS));
    }

    private static Thread startVirtual(Runnable r) throws Exception {
        Object builder = ofVirtual.invoke(null);
        Method start = Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class);
        return (Thread) start.invoke(builder, r);
    }

    private static boolean isVirtual(Thread t) throws Exception {
        return (Boolean) Thread.class.getMethod("isVirtual").invoke(t);
    }

    /** A virtual thread prints as "VirtualThread[#id]/runnable@carrier-name" while mounted. */
    private static String carrierOf(Thread t) {
        String s = t.toString();
        return s.substring(s.indexOf('@') + 1);
    }

    private interface Body {
        void run() throws Exception;
    }

    private static Thread startVirtual(AtomicReference<Throwable> failure, Set<String> carriers, Body body) throws Exception {
        return startVirtual(() -> {
            try {
                carriers.add(carrierOf(Thread.currentThread()));
                body.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        });
    }

    @Test
    void aThousandVirtualThreadsBlockedInFacadeCallsAtOnceOnTwoCarriersAllComplete() throws Exception {
        int clients = 500;
        int rounds = 10;
        byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Set<String> carriers = ConcurrentHashMap.newKeySet();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        List<Conn> serverSides = new CopyOnWriteArrayList<>();
        CountDownLatch dialled = new CountDownLatch(clients);
        CountDownLatch accepted = new CountDownLatch(clients);
        AtomicInteger echoedRounds = new AtomicInteger();
        long t0 = System.nanoTime();
        try (Listener ln = Net.listen("tcp", "127.0.0.1:0")) {
            String address = "127.0.0.1:" + ((InetSocketAddress) ln.getLocalAddress()).getPort();
            // The acceptor and each connection's handler: acceptBlocking, then readBlocking /
            // writeBlocking echo until end of stream.
            threads.add(startVirtual(failure, carriers, () -> {
                for (int i = 0; i < clients; i++) {
                    Conn s = ln.acceptBlocking();
                    serverSides.add(s);
                    threads.add(startVirtual(failure, carriers, () -> {
                        try (s) {
                            accepted.countDown();
                            ByteBuffer b = ByteBuffer.allocate(64);
                            while (s.readBlocking(b.clear()) > 0) {
                                s.writeBlocking(b.flip());
                            }
                        }
                    }));
                }
            }));
            // The clients: dialBlocking, wait for the server's greeting in a stream read, then
            // round trips through the streams.
            for (int i = 0; i < clients; i++) {
                int id = i;
                threads.add(startVirtual(failure, carriers, () -> {
                    try (Conn c = Net.dialBlocking("tcp", address, Duration.ofSeconds(20))) {
                        assertTrue(isVirtual(Thread.currentThread()));
                        dialled.countDown();
                        DataInputStream in = new DataInputStream(c.asInputStream());
                        OutputStream out = c.asOutputStream();
                        byte[] greeting = new byte[hello.length];
                        in.readFully(greeting);
                        assertArrayEquals(hello, greeting);
                        for (int r = 0; r < rounds; r++) {
                            byte[] msg = String.format("c%04d-r%02d", id, r).getBytes(StandardCharsets.US_ASCII);
                            out.write(msg);
                            byte[] back = new byte[msg.length];
                            in.readFully(back);
                            assertArrayEquals(msg, back);
                            echoedRounds.incrementAndGet();
                        }
                    }
                }));
            }
            assertTrue(dialled.await(30, TimeUnit.SECONDS), "not every client dialled: " + dialled.getCount() + " missing");
            assertTrue(accepted.await(30, TimeUnit.SECONDS), "not every connection was accepted: " + accepted.getCount() + " missing");
            // Every handler is parked in readBlocking and every client in a stream read: 1,000
            // virtual threads blocked in facade calls at once (the acceptor has returned).
            int blocked = awaitParked(threads, 2 * clients, 20_000);
            assertEquals(2 * clients, blocked, "virtual threads parked at once");
            for (Conn s : serverSides) {
                s.writeBlocking(ByteBuffer.wrap(hello));
            }
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(30));
                assertTrue(!t.isAlive(), "a virtual thread is stuck: " + t);
            }
        }
        assertNull(failure.get(), () -> "failure: " + failure.get());
        assertEquals(clients * rounds, echoedRounds.get());
        assertTrue(carriers.size() <= CARRIERS, "carriers used: " + carriers);
        assertEquals(0, Netpoll.get().stats().drivers(), "a Kotlin scheduler is attached as poll driver");
        System.out.printf("VirtualThreadFacadeTest: %d virtual threads (%d parked in facade calls at once) on %d carriers, "
                        + "%d stream round trips, %d ms on %s%n", threads.size(), 2 * clients, carriers.size(),
                clients * rounds, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), Runtime.version());
    }

    /** Waits until [n] of [threads] are parked (WAITING); returns how many were at the last look. */
    private static int awaitParked(List<Thread> threads, int n, long timeoutMillis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        int parked = 0;
        while (System.nanoTime() - end < 0) {
            parked = 0;
            for (Thread t : threads) {
                if (t.getState() == Thread.State.WAITING) {
                    parked++;
                }
            }
            if (parked >= n) {
                return parked;
            }
            Thread.sleep(10);
        }
        return parked;
    }

    @Test
    void anInterruptEndsAVirtualThreadsBlockingReadWithInterruptedIOException() throws Exception {
        try (Listener ln = Net.listen("tcp", "127.0.0.1:0")) {
            CompletableFuture<Conn> accepted = ln.acceptAsync();
            try (Conn c = Net.dialBlocking("tcp", "127.0.0.1:" + ((InetSocketAddress) ln.getLocalAddress()).getPort());
                 Conn s = accepted.get(5, TimeUnit.SECONDS)) {
                CompletableFuture<Throwable> outcome = new CompletableFuture<>();
                Thread reader = startVirtual(() -> {
                    try {
                        c.readBlocking(ByteBuffer.allocate(1));
                        outcome.complete(null);
                    } catch (Throwable e) {
                        outcome.complete(e);
                    }
                });
                List<Thread> one = new ArrayList<>(List.of(reader));
                assertEquals(1, awaitParked(one, 1, 5_000));
                reader.interrupt();
                assertInstanceOf(InterruptedIOException.class, outcome.get(5, TimeUnit.SECONDS));
                // The connection is still usable.
                s.writeBlocking(ByteBuffer.wrap(new byte[] {42}));
                ByteBuffer b = ByteBuffer.allocate(1);
                c.readFullyBlocking(b);
                assertEquals(42, b.get(0));
            }
        }
    }
}
