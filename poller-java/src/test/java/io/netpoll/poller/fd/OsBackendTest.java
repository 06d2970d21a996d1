package io.netpoll.poller.fd;

import io.netpoll.DeadlineExceededException;
import io.netpoll.poller.Netpoll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The process's Netpoll on the backend its OS gets by default — epoll on Linux, kqueue on macOS and
 * FreeBSD, IOCP on Windows — driven through NetFD over loopback TCP, the one kind of socket every
 * OS has. Nothing here is Linux-specific, so the hosted CI's macOS and Windows jobs run this class
 * on their real kernels; everywhere else the backend suites use models of those kernels.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OsBackendTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    /** A connected loopback pair: {listener, client, server}. */
    private static NetFD[] tcpPair() throws IOException {
        NetFD ln = NetFD.listen(new InetSocketAddress("127.0.0.1", 0), 128, false);
        try {
            NetFD c = NetFD.dial(ln.localAddress(), 10 * SECOND);
            return new NetFD[] {ln, c, ln.accept()};
        } catch (IOException | RuntimeException e) {
            ln.close();
            throw e;
        }
    }

    private static void closeAll(NetFD... fds) {
        for (NetFD fd : fds) {
            fd.close();
        }
    }

    private static String expectedBackend() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("windows")) {
            return "iocp";
        }
        return os.contains("mac") || os.contains("darwin") || os.contains("freebsd") ? "kqueue" : "epoll";
    }

    @Test
    void the_process_netpoll_runs_the_backend_go_uses_on_this_os() {
        assumeTrue(System.getProperty("netpoll.backend") == null, "this JVM runs the backend -Dnetpoll.backend names");
        assertEquals(expectedBackend(), Netpoll.get().stats().backend(), "os.name=" + System.getProperty("os.name"));
    }

    @Test
    void a_blocked_read_is_woken_by_data_that_arrives_later() throws Exception {
        NetFD[] p = tcpPair();
        try {
            CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return p[2].read(ByteBuffer.allocate(16));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(100);
            assertFalse(read.isDone(), "the read returned before any data was sent");
            p[1].write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            assertEquals(3, read.get(10, TimeUnit.SECONDS));
        } finally {
            closeAll(p);
        }
    }

    @Test
    void a_write_larger_than_the_socket_buffers_waits_for_the_reader_and_arrives_intact() throws Exception {
        NetFD[] p = tcpPair();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            byte[] data = new byte[8 << 20];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i * 31 + (i >>> 11));
            }
            Future<Integer> write = pool.submit(() -> p[1].write(ByteBuffer.wrap(data)));
            ByteBuffer got = ByteBuffer.allocateDirect(data.length);
            while (got.hasRemaining()) {
                assertTrue(p[2].read(got) > 0, "end of stream after " + got.position() + " bytes");
            }
            assertEquals(data.length, write.get(30, TimeUnit.SECONDS));
            got.flip();
            byte[] back = new byte[data.length];
            got.get(back);
            assertEquals(crc(data), crc(back));
        } finally {
            pool.shutdownNow();
            closeAll(p);
        }
    }

    @Test
    void many_connections_make_round_trips_at_once() throws Exception {
        int conns = 32;
        int rounds = 200;
        List<NetFD[]> pairs = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2 * conns);
        try {
            for (int i = 0; i < conns; i++) {
                pairs.add(tcpPair());
            }
            List<Future<Integer>> done = new ArrayList<>();
            for (NetFD[] p : pairs) {
                done.add(pool.submit(() -> echoServe(p[2])));
                done.add(pool.submit(() -> {
                    ByteBuffer out = ByteBuffer.allocate(64);
                    ByteBuffer in = ByteBuffer.allocate(64);
                    for (int r = 0; r < rounds; r++) {
                        out.clear().putInt(0, r);
                        p[1].write(out);
                        in.clear();
                        while (in.hasRemaining()) {
                            assertTrue(p[1].read(in) > 0);
                        }
                        assertEquals(r, in.getInt(0));
                    }
                    p[1].shutdownOutput();
                    return rounds;
                }));
            }
            for (Future<Integer> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            pairs.forEach(OsBackendTest::closeAll);
        }
    }

    private static int echoServe(NetFD s) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64);
        int n = 0;
        while (s.read(b.clear()) > 0) {
            s.write(b.flip());
            n++;
        }
        return n;
    }

    @Test
    void a_read_deadline_fails_the_read_and_a_cleared_one_lets_the_next_read_wait_for_data() throws Exception {
        NetFD[] p = tcpPair();
        try {
            long start = System.nanoTime();
            p[2].setReadDeadline(start + SECOND / 10);
            assertThrows(DeadlineExceededException.class, () -> p[2].read(ByteBuffer.allocate(1)));
            assertTrue(System.nanoTime() - start >= SECOND / 10, "the deadline fired early");
            p[2].clearReadDeadline();
            p[1].write(ByteBuffer.wrap(new byte[] {7}));
            ByteBuffer b = ByteBuffer.allocate(1);
            assertEquals(1, p[2].read(b));
            assertEquals(7, b.get(0));
        } finally {
            closeAll(p);
        }
    }

    @Test
    void close_wakes_a_blocked_reader_with_AsynchronousCloseException() throws Exception {
        NetFD[] p = tcpPair();
        try {
            CompletableFuture<Throwable> read = CompletableFuture.supplyAsync(() -> {
                try {
                    p[2].read(ByteBuffer.allocate(1));
                    return null;
                } catch (IOException e) {
                    return e;
                }
            });
            Thread.sleep(100);
            p[2].close();
            assertTrue(read.get(10, TimeUnit.SECONDS) instanceof AsynchronousCloseException, String.valueOf(read.get()));
        } finally {
            closeAll(p);
        }
    }

    @Test
    void the_peer_closing_is_end_of_stream_and_a_future_read_completes_with_it() throws Exception {
        NetFD[] p = tcpPair();
        try {
            CompletableFuture<Integer> read = p[1].readAsync(ByteBuffer.allocate(8), NetFD.defaultExecutor());
            p[2].close();
            assertEquals(-1, read.get(10, TimeUnit.SECONDS));
        } finally {
            closeAll(p);
        }
    }

    @Test
    void a_dial_to_a_closed_port_fails_with_ConnectException() throws Exception {
        NetFD ln = NetFD.listen(new InetSocketAddress("127.0.0.1", 0), 1, false);
        SocketAddress closed = ln.localAddress();
        ln.close();
        assertThrows(ConnectException.class, () -> NetFD.dial(closed, 20 * SECOND).close());
    }

    private static long crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return c.getValue();
    }
}
