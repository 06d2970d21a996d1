package io.netpoll.net;

import io.netpoll.DeadlineExceededException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.DataInputStream;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * net-kt from plain Java: no coroutines, no Kotlin dispatcher. Blocking calls run on platform
 * threads (this JDK is 17; on 21+ the same calls unmount virtual threads).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JavaFacadeTest {
    private static int port(Endpoint e) throws IOException {
        return ((InetSocketAddress) e.getLocalAddress()).getPort();
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
                System.out.println("JavaFacadeTest: " + clients + " blocking clients x 256 KiB echoed on platform threads");
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
