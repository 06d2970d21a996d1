package io.netpoll.net;

import io.netpoll.DeadlineExceededException;
import io.netpoll.poller.Netpoll;
import io.netpoll.poller.NetpollStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * net-kt from plain Java: no coroutines, no Kotlin dispatcher. Blocking calls run on platform
 * threads (VirtualThreadFacadeTest runs them on virtual threads).
 *
 * <p>Runs in a JVM of its own (the pom's {@code isolated} execution): in the module's shared JVM,
 * a spec that once used {@code Dispatchers.Netpoll} leaves it attached as the poll driver for the
 * JVM's life, and these calls would never run on the Netpoll's own driver thread. After each test
 * no Kotlin scheduler may be attached.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JavaFacadeTest {
    private static int port(Endpoint e) throws IOException {
        return ((InetSocketAddress) e.getLocalAddress()).getPort();
    }

    @AfterEach
    void noKotlinSchedulerDrovePolling() {
        NetpollStats stats = Netpoll.get().stats();
        assertEquals(0, stats.drivers(), () -> "a Kotlin scheduler is attached as poll driver: " + stats);
    }

    @Test
    void blockingEchoServerOnPlatformThreadsServesManyClients() throws Exception {
        int clients = 32;
        try (Listener ln = Net.listen("tcp", "127.0.0.1:0")) {
            ExecutorService pool = Executors.newFixedThreadPool(clients + 1);
            try {
                pool.submit(() -> {
                    for (int i = 0; i < clients; i++) {
                        Conn c = ln.acceptBlocking();
                        pool.submit(() -> {
                            try (c) {
                                ByteBuffer b = ByteBuffer.allocateDirect(4096);
                                while (c.readBlocking(b.clear()) > 0) {
                                    c.writeBlocking(b.flip());
                                }
                            }
                            return null;
                        });
                    }
                    return null;
                });
                List<Future<Long>> sums = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    int seed = i;
                    sums.add(pool.submit(() -> echoOnce(port(ln), seed)));
                }
                for (int i = 0; i < clients; i++) {
                    assertEquals(crcOf(i), sums.get(i).get());
                }
                assertTrue(Netpoll.get().stats().driverThread(), "the Netpoll's own driver thread polled");
                System.out.println("JavaFacadeTest: " + clients + " blocking clients x 256 KiB echoed on platform threads, "
                        + "polled by " + Netpoll.get().driverThread().getName());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static byte[] payload(int seed) {
        byte[] p = new byte[256 * 1024];
        new java.util.Random(seed).nextBytes(p);
        return p;
    }

    private static long crcOf(int seed) {
        CRC32 crc = new CRC32();
        crc.update(payload(seed));
        return crc.getValue();
    }

    private static long echoOnce(int port, int seed) throws Exception {
        try (Conn c = Net.dialBlocking("tcp", "127.0.0.1:" + port, Duration.ofSeconds(5))) {
            byte[] p = payload(seed);
            Thread writer = new Thread(() -> {
                try {
                    c.writeBlocking(ByteBuffer.wrap(p));
                    c.closeWrite();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            CRC32 crc = new CRC32();
            ByteBuffer b = ByteBuffer.allocate(8192);
            while (c.readBlocking(b.clear()) >= 0) {
                crc.update(b.flip());
            }
            writer.join();
            return crc.getValue();
        }
    }

    @Test
    void futuresDialAcceptWriteAndReadWithoutAnyDispatcher() throws Exception {
        try (Listener ln = Net.listen("tcp", "127.0.0.1:0")) {
            CompletableFuture<Conn> accepted = ln.acceptAsync();
            Conn c = Net.dialAsync("tcp", "127.0.0.1:" + port(ln)).get(5, TimeUnit.SECONDS);
            Conn s = accepted.get(5, TimeUnit.SECONDS);
            ByteBuffer in = ByteBuffer.allocate(5);
            CompletableFuture<Integer> read = s.readAsync(in);
            assertEquals(5, c.writeAsync(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8))).get(5, TimeUnit.SECONDS));
            assertEquals(5, read.get(5, TimeUnit.SECONDS));
            assertEquals("hello", new String(in.array(), StandardCharsets.UTF_8));
            c.close();
            s.close();
        }
    }

    @Test
    void futureDialToARefusedPortFailsWithConnectException() throws Exception {
        Listener ln = Net.listen("tcp", "127.0.0.1:0");
        int port = port(ln);
        ln.close();
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> Net.dialAsync("tcp", "127.0.0.1:" + port).get(5, TimeUnit.SECONDS));
        assertInstanceOf(ConnectException.class, e.getCause());
        assertThrows(ConnectException.class, () -> Net.dialBlocking("tcp", "127.0.0.1:" + port));
        ExecutionException bad = assertThrows(ExecutionException.class, () -> Net.dialAsync("sctp", "x:1").get());
        assertInstanceOf(IllegalArgumentException.class, bad.getCause());
    }

    @Test
    void nonPositiveDialTimeoutIsIllegalArgumentThrownByDialBlockingAndTheFutureFailureOfDialAsync() throws Exception {
        try (Listener ln = Net.listen("tcp", "127.0.0.1:0")) {
            String address = "127.0.0.1:" + port(ln);
            for (Duration bad : List.of(Duration.ZERO, Duration.ofMillis(-1))) {
                assertThrows(IllegalArgumentException.class, () -> Net.dialBlocking("tcp", address, bad));
                CompletableFuture<Conn> f = Net.dialAsync("tcp", address, bad);
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
                assertInstanceOf(IllegalArgumentException.class, e.getCause());
                assertTrue(e.getCause().getMessage().contains("timeout must be positive"), e.getCause().getMessage());
            }
        }
    }

    /** Dials until the backlog-0 listener's accept queue is full; returns the first failure and how long it took. */
    private static Map.Entry<Throwable, Duration> dialUntilOneFails(Listener ln, Callable<Conn> dial) throws Exception {
        List<Conn> filled = new ArrayList<>();
        try {
            for (int i = 0; i < 16; i++) {
                long start = System.nanoTime();
                try {
                    filled.add(dial.call());
                } catch (Exception e) {
                    Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                    return Map.entry(cause, Duration.ofNanos(System.nanoTime() - start));
                }
            }
            throw new AssertionError("16 dials connected to a listener with backlog 0");
        } finally {
            for (Conn c : filled) {
                c.close();
            }
        }
    }

    @Test
    void dialBlockingWithATimeoutAgainstAFullAcceptQueueFailsWithDeadlineExceeded() throws Exception {
        try (Listener ln = Net.listen("tcp", "127.0.0.1:0", new ListenOptions(0))) {
            String address = "127.0.0.1:" + port(ln);
            Map.Entry<Throwable, Duration> failed =
                    dialUntilOneFails(ln, () -> Net.dialBlocking("tcp", address, Duration.ofMillis(300)));
            assertInstanceOf(DeadlineExceededException.class, failed.getKey());
            assertTrue(failed.getValue().toMillis() >= 295, failed.getValue().toString());
            assertTrue(failed.getValue().toMillis() < 3000, failed.getValue().toString());
        }
    }

    @Test
    void dialAsyncWithATimeoutAgainstAFullAcceptQueueFailsWithDeadlineExceededAsTheFuturesCause() throws Exception {
        try (Listener ln = Net.listen("tcp", "127.0.0.1:0", new ListenOptions(0))) {
            String address = "127.0.0.1:" + port(ln);
            Map.Entry<Throwable, Duration> failed = dialUntilOneFails(ln,
                    () -> Net.dialAsync("tcp", address, Duration.ofMillis(300)).get(10, TimeUnit.SECONDS));
            assertInstanceOf(DeadlineExceededException.class, failed.getKey());
            assertTrue(failed.getValue().toMillis() >= 295, failed.getValue().toString());
            assertTrue(failed.getValue().toMillis() < 3000, failed.getValue().toString());
        }
    }

    @Test
    void readFullyBlockingGathersSeveralWritesAndThrowsEOFExceptionWhenTheStreamEndsShort() throws Exception {
        try (Listener ln = Net.listen("tcp", "127.0.0.1:0")) {
            CompletableFuture<Conn> accepted = ln.acceptAsync();
            try (Conn c = Net.dialBlocking("tcp", "127.0.0.1:" + port(ln));
                 Conn s = accepted.get(5, TimeUnit.SECONDS)) {
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        for (String part : List.of("ab", "cde", "f")) {
                            s.writeBlocking(ByteBuffer.wrap(part.getBytes(StandardCharsets.US_ASCII)));
                            Thread.sleep(50);
                        }
                        s.writeBlocking(ByteBuffer.wrap("gh".getBytes(StandardCharsets.US_ASCII)));
                        s.closeWrite();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                ByteBuffer six = ByteBuffer.allocate(6);
                c.readFullyBlocking(six);
                assertEquals("abcdef", new String(six.array(), StandardCharsets.US_ASCII));
                ByteBuffer four = ByteBuffer.allocate(4);
                EOFException e = assertThrows(EOFException.class, () -> c.readFullyBlocking(four));
                assertEquals(2, four.position());
                assertTrue(e.getMessage().contains("2 bytes still expected"), e.getMessage());
                writer.get(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void unixListenerCloseDeclaresTheIOExceptionOfASocketFileItCannotRemove() throws IOException {
        Path dir = Files.createTempDirectory("netkt");
        Path path = dir.resolve("gone.sock");
        Listener ln = Net.listen("unix", path.toString());
        Files.delete(path);
        Files.createDirectory(path);
        Files.createFile(path.resolve("keep"));
        IOException thrown = null;
        try {
            ln.close(); // this catch compiles only because close() declares IOException
        } catch (IOException e) {
            thrown = e;
        }
        assertInstanceOf(DirectoryNotEmptyException.class, thrown);
        assertFalse(ln.isOpen());
        Files.delete(path.resolve("keep"));
        Files.delete(path);
        Files.delete(dir);
    }

    @Test
    void streamsCarryBytesAndCloseTheConnection() throws Exception {
        try (Listener ln = Net.listen("tcp", "127.0.0.1:0")) {
            CompletableFuture<Conn> accepted = ln.acceptAsync();
            Conn c = Net.dialBlocking("tcp", "127.0.0.1:" + port(ln));
            Conn s = accepted.get(5, TimeUnit.SECONDS);
            OutputStream out = c.asOutputStream();
            out.write(7);
            out.write("stream".getBytes(StandardCharsets.UTF_8));
            out.close();
            assertTrue(!c.isOpen());
            InputStream in = s.asInputStream();
            assertEquals(7, in.read());
            byte[] rest = new byte[6];
            new DataInputStream(in).readFully(rest);
            assertArrayEquals("stream".getBytes(StandardCharsets.UTF_8), rest);
            assertEquals(-1, in.read());
            assertEquals(-1, in.read(new byte[4], 0, 4));
            in.close();
            assertThrows(ClosedChannelException.class, () -> s.readBlocking(ByteBuffer.allocate(1)));
        }
    }

    @Test
    void blockingReadHonoursDeadlinesAndEndsWithAsynchronousCloseWhenClosed() throws Exception {
        try (Listener ln = Net.listen("tcp", "127.0.0.1:0")) {
            CompletableFuture<Conn> accepted = ln.acceptAsync();
            Conn c = Net.dialBlocking("tcp", "127.0.0.1:" + port(ln));
            Conn s = accepted.get(5, TimeUnit.SECONDS);
            c.setReadDeadline(Instant.now().plusMillis(100));
            assertThrows(DeadlineExceededException.class, () -> c.readBlocking(ByteBuffer.allocate(1)));
            c.setReadDeadline(null);
            CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    c.readBlocking(ByteBuffer.allocate(1));
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            Thread.sleep(100);
            c.close();
            assertInstanceOf(AsynchronousCloseException.class, blocked.get(5, TimeUnit.SECONDS));
            s.close();
        }
    }

    @Test
    void awaitReadableBlockingWaitsForDataWithoutConsumingItAndFailsLikeARead() throws Exception {
        try (Listener ln = Net.listen("tcp", "127.0.0.1:0")) {
            CompletableFuture<Conn> accepted = ln.acceptAsync();
            Conn c = Net.dialBlocking("tcp", "127.0.0.1:" + port(ln));
            Conn s = accepted.get(5, TimeUnit.SECONDS);
            CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
                try {
                    c.awaitReadableBlocking();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(100);
            assertTrue(!waiting.isDone());
            s.writeBlocking(ByteBuffer.wrap("data".getBytes(StandardCharsets.US_ASCII)));
            waiting.get(5, TimeUnit.SECONDS);
            ByteBuffer b = ByteBuffer.allocate(4);
            assertEquals(4, c.tryRead(b));
            assertEquals("data", new String(b.array(), StandardCharsets.US_ASCII));
            assertEquals(0, c.tryRead(b.clear()));

            c.setReadDeadline(Instant.now().plusMillis(100));
            assertThrows(DeadlineExceededException.class, c::awaitReadableBlocking);
            c.setReadDeadline(null);
            CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    c.awaitReadableBlocking();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            Thread.sleep(100);
            c.close();
            assertInstanceOf(AsynchronousCloseException.class, blocked.get(5, TimeUnit.SECONDS));
            assertThrows(ClosedChannelException.class, c::awaitReadableBlocking);
            s.close();
        }
    }

    @Test
    void udpRoundTripFromJava() throws Exception {
        try (PacketConn a = Net.listenPacket("udp", "127.0.0.1:0");
             PacketConn b = Net.listenPacket("udp", "127.0.0.1:0")) {
            CompletableFuture<SocketAddress> from = a.readFromAsync(ByteBuffer.allocate(16));
            b.writeToBlocking(ByteBuffer.wrap("dgram".getBytes(StandardCharsets.UTF_8)), a.getLocalAddress());
            assertEquals(b.getLocalAddress(), from.get(5, TimeUnit.SECONDS));
            a.writeToAsync(ByteBuffer.wrap("back".getBytes(StandardCharsets.UTF_8)), b.getLocalAddress()).get(5, TimeUnit.SECONDS);
            ByteBuffer got = ByteBuffer.allocate(16);
            assertEquals(a.getLocalAddress(), b.readFromBlocking(got));
            assertEquals(4, got.position());
        }
    }
}
