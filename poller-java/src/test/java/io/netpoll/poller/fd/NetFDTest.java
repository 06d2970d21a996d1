package io.netpoll.poller.fd;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.DeadlineExceededException;
import io.netpoll.poller.Netpoll;
import io.netpoll.poller.sys.Errno;
import io.netpoll.poller.sys.Sys;
import io.netpoll.poller.sys.TestLibC;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** NetFD over real loopback TCP (v4, v6), UDP, Unix sockets, socketpairs and pipes. */
class NetFDTest {
    static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    static ByteBuffer bytes(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocateDirect(b.length);
        buf.put(b).flip();
        return buf;
    }

    static String readString(NetFD fd, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            if (fd.read(buf) < 0) {
                break;
            }
        }
        return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
    }

    /** A connected TCP pair: [client, server side]. */
    static NetFD[] tcpPair(SocketAddress bindTo) throws IOException {
        try (NetFD ln = NetFD.listen(bindTo, 16, false)) {
            NetFD client = NetFD.dial(ln.localAddress(), TimeUnit.SECONDS.toNanos(5));
            NetFD server = ln.accept();
            return new NetFD[] {client, server};
        }
    }

    @Test
    void tcp_ipv4_round_trip_with_direct_and_heap_buffers() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        try (NetFD c = p[0]; NetFD s = p[1]) {
            assertEquals(5, c.write(bytes("hello")));
            assertEquals("hello", readString(s, 5));
            ByteBuffer heap = ByteBuffer.wrap("world".getBytes(StandardCharsets.UTF_8));
            assertEquals(5, s.write(heap));
            assertEquals("world", readString(c, 5));
            assertEquals(s.localAddress(), c.remoteAddress());
            assertEquals(c.localAddress(), s.remoteAddress());
            assertEquals(1, c.getIntOption(Sys.IPPROTO_TCP, Sys.TCP_NODELAY), "TCP_NODELAY on by default, like Go");
            assertEquals(1, s.getIntOption(Sys.IPPROTO_TCP, Sys.TCP_NODELAY));
        }
    }

    @Test
    void tcp_ipv6_round_trip() throws Exception {
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 0);
        NetFD[] p;
        try {
            p = tcpPair(v6);
        } catch (SocketException e) {
            org.junit.jupiter.api.Assumptions.abort("IPv6 loopback unavailable here: " + e.getMessage());
            return;
        }
        try (NetFD c = p[0]; NetFD s = p[1]) {
            assertInstanceOf(Inet6Address.class, ((InetSocketAddress) s.localAddress()).getAddress());
            c.write(bytes("v6"));
            assertEquals("v6", readString(s, 2));
        }
    }

    @Test
    void large_transfer_with_backpressure_is_exact() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        byte[] data = new byte[8 << 20];
        new java.util.Random(1).nextBytes(data);
        try (NetFD c = p[0]; NetFD s = p[1]) {
            c.setSendBufferSize(16 * 1024);
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try {
                    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                    ByteBuffer buf = ByteBuffer.allocateDirect(7919);
                    byte[] tmp = new byte[7919];
                    while (s.read(buf) >= 0) {
                        buf.flip();
                        int n = buf.remaining();
                        buf.get(tmp, 0, n);
                        out.write(tmp, 0, n);
                        buf.clear();
                    }
                    return out.toByteArray();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            ByteBuffer src = ByteBuffer.allocateDirect(data.length);
            src.put(data).flip();
            assertEquals(data.length, c.write(src));
            c.shutdownOutput();
            assertArrayEquals(data, received.get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void gathering_write_and_scattering_read() throws Exception {
        NetFD[] sp = NetFD.socketPair(Sys.SOCK_STREAM);
        try (NetFD a = sp[0]; NetFD b = sp[1]) {
            ByteBuffer[] srcs = {bytes("ab"), bytes(""), bytes("cde"), bytes("f")};
            assertEquals(6, a.write(srcs));
            for (ByteBuffer s : srcs) {
                assertFalse(s.hasRemaining());
            }
            ByteBuffer x = ByteBuffer.allocateDirect(3);
            ByteBuffer y = ByteBuffer.allocateDirect(10);
            long n = 0;
            while (n < 6) {
                n += b.read(new ByteBuffer[] {x, y});
            }
            x.flip();
            y.flip();
            assertEquals("abc", StandardCharsets.UTF_8.decode(x).toString());
            assertEquals("def", StandardCharsets.UTF_8.decode(y).toString());
        }
    }

    @Test
    void udp_round_trip_reports_the_sender() throws Exception {
        try (NetFD a = NetFD.bindDatagram(LOOPBACK_ANY_PORT); NetFD b = NetFD.bindDatagram(LOOPBACK_ANY_PORT)) {
            assertEquals(4, a.sendTo(bytes("ping"), b.localAddress()));
            ByteBuffer buf = ByteBuffer.allocate(64);
            SocketAddress from = b.recvFrom(buf);
            assertEquals(a.localAddress(), from);
            buf.flip();
            assertEquals("ping", StandardCharsets.UTF_8.decode(buf).toString());
        }
    }

    @Test
    void unix_stream_listen_dial_accept(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        UnixDomainSocketAddress path = UnixDomainSocketAddress.of(dir.resolve("s.sock"));
        try (NetFD ln = NetFD.listen(path, 8, false)) {
            assertTrue(Files.exists(path.getPath()));
            try (NetFD c = NetFD.dial(path, 0); NetFD s = ln.accept()) {
                c.write(bytes("unix"));
                assertEquals("unix", readString(s, 4));
                assertEquals(path, ln.localAddress());
            }
        }
    }

    @Test
    void pipes_carry_bytes_and_report_eof() throws Exception {
        NetFD[] p = NetFD.pipe();
        try (NetFD r = p[0]; NetFD w = p[1]) {
            w.write(bytes("pipe"));
            w.close();
            assertEquals("pipe", readString(r, 4));
            assertEquals(-1, r.read(ByteBuffer.allocate(1)));
        }
    }

    @Test
    void reading_after_eof_keeps_returning_minus_one_and_half_close_works_both_ways() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        try (NetFD c = p[0]; NetFD s = p[1]) {
            c.shutdownOutput();
            assertEquals(-1, s.read(ByteBuffer.allocate(8)));
            assertEquals(-1, s.read(ByteBuffer.allocate(8)));
            s.write(bytes("still open"));
            assertEquals("still open", readString(c, 10), "the other direction still works");
            s.shutdownOutput();
            assertEquals(-1, c.read(ByteBuffer.allocate(8)));
        }
    }

    // ---- bad input and failure -------------------------------------------------------------------

    @Test
    void unresolved_or_invalid_addresses_fail_with_jvm_exceptions() {
        assertThrows(UnresolvedAddressException.class,
                () -> NetFD.dial(InetSocketAddress.createUnresolved("no.such.host.invalid", 80), 0));
        assertThrows(IllegalArgumentException.class,
                () -> NetFD.listen(UnixDomainSocketAddress.of("/tmp/" + "x".repeat(200)), 1, false));
        // TEST-NET-1 (RFC 5737) is on no interface here: bind fails locally, nothing is sent.
        BindException notHere = assertThrows(BindException.class,
                () -> NetFD.listen(new InetSocketAddress("192.0.2.1", 0), 1, false));
        assertTrue(notHere.getMessage().contains("errno " + Errno.EADDRNOTAVAIL), notHere.getMessage());
        ConnectException portZero = assertThrows(ConnectException.class,
                () -> NetFD.dial(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), TimeUnit.SECONDS.toNanos(5)));
        assertTrue(portZero.getMessage().contains("errno " + Errno.ECONNREFUSED), portZero.getMessage());
    }

    @Test
    void a_taken_address_fails_with_bind_exception() throws Exception {
        try (NetFD ln = NetFD.listen(LOOPBACK_ANY_PORT, 1, false)) {
            BindException e = assertThrows(BindException.class, () -> NetFD.listen(ln.localAddress(), 1, false));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
    }

    @Test
    void dialing_a_closed_port_is_connection_refused() throws Exception {
        SocketAddress free;
        try (NetFD ln = NetFD.listen(LOOPBACK_ANY_PORT, 1, false)) {
            free = ln.localAddress();
        }
        ConnectException e = assertThrows(ConnectException.class, () -> NetFD.dial(free, TimeUnit.SECONDS.toNanos(5)));
        assertTrue(e.getMessage().contains("refused"), e.getMessage());
        assertThrows(ConnectException.class, () -> join(NetFD.dialAsync(free, 0, NetFD.defaultExecutor())));
    }

    @Test
    void calls_after_close_fail_with_closed_channel_and_double_close_is_a_no_op() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        NetFD ln = NetFD.listen(LOOPBACK_ANY_PORT, 1, false);
        p[0].close();
        p[0].close();
        ln.close();
        ln.close();
        assertFalse(p[0].isOpen());
        assertThrows(ClosedChannelException.class, () -> p[0].read(ByteBuffer.allocate(1)));
        assertThrows(ClosedChannelException.class, () -> p[0].write(bytes("x")));
        assertThrows(ClosedChannelException.class, () -> p[0].setReadDeadline(System.nanoTime()));
        assertThrows(ClosedChannelException.class, () -> p[0].shutdownOutput());
        assertThrows(ClosedChannelException.class, ln::accept);
        ExecutionException async = assertThrows(ExecutionException.class, () -> p[0].readAsync(ByteBuffer.allocate(1), Runnable::run).get());
        assertInstanceOf(ClosedChannelException.class, async.getCause());
        ByteBuffer[] two = {ByteBuffer.allocate(1), ByteBuffer.allocate(1)};
        async = assertThrows(ExecutionException.class, () -> p[0].readAsync(two, Runnable::run).get());
        assertInstanceOf(ClosedChannelException.class, async.getCause());
        async = assertThrows(ExecutionException.class, () -> p[0].writeAsync(two, Runnable::run).get());
        assertInstanceOf(ClosedChannelException.class, async.getCause());
        async = assertThrows(ExecutionException.class, () -> p[0].writeAsync(bytes("x"), Runnable::run).get());
        assertInstanceOf(ClosedChannelException.class, async.getCause());
        p[1].close();
    }

    @Test
    void close_while_blocked_ends_the_call_with_asynchronous_close() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        NetFD ln = NetFD.listen(LOOPBACK_ANY_PORT, 1, false);
        CompletableFuture<Throwable> reader = failureOf(() -> p[1].read(ByteBuffer.allocate(8)));
        CompletableFuture<Throwable> acceptor = failureOf(ln::accept);
        CompletableFuture<Throwable> queuedReader = failureOf(() -> p[1].read(ByteBuffer.allocate(8)));
        Thread.sleep(100);
        p[1].close();
        ln.close();
        assertInstanceOf(AsynchronousCloseException.class, reader.get(5, TimeUnit.SECONDS));
        assertInstanceOf(AsynchronousCloseException.class, queuedReader.get(5, TimeUnit.SECONDS));
        assertInstanceOf(AsynchronousCloseException.class, acceptor.get(5, TimeUnit.SECONDS));
        p[0].close();
    }

    @Test
    void close_leaves_the_os_descriptor_open_until_the_call_in_flight_leaves() throws Exception {
        NetFD[] sp = NetFD.socketPair(Sys.SOCK_STREAM);
        NetFD a = sp[0];
        Path proc = Path.of("/proc/self/fd/" + a.fd());
        assertTrue(a.mu.tryRwlock(true)); // a read in flight, between its syscalls
        a.close();
        assertFalse(a.isOpen());
        assertTrue(Files.exists(proc, LinkOption.NOFOLLOW_LINKS), "closed under the call: its fd number could be reused");
        a.readUnlock();
        assertFalse(Files.exists(proc, LinkOption.NOFOLLOW_LINKS), "the last reference leaving closes it");
        sp[1].close();
    }

    @Test
    void close_while_a_writer_is_blocked_on_a_full_buffer() throws Exception {
        NetFD[] sp = NetFD.socketPair(Sys.SOCK_STREAM);
        NetFD a = sp[0];
        a.setSendBufferSize(4096);
        CompletableFuture<Throwable> writer = failureOf(() -> a.write(ByteBuffer.allocateDirect(4 << 20)));
        Thread.sleep(100);
        a.close();
        assertInstanceOf(AsynchronousCloseException.class, writer.get(5, TimeUnit.SECONDS));
        sp[1].close();
    }

    @Test
    void a_deadline_in_the_past_fails_at_once_and_the_connection_stays_usable() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        try (NetFD c = p[0]; NetFD s = p[1]) {
            s.setReadDeadline(System.nanoTime() - 1);
            long t0 = System.nanoTime();
            assertThrows(DeadlineExceededException.class, () -> s.read(ByteBuffer.allocate(1)));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1));
            s.clearReadDeadline();
            c.write(bytes("ok"));
            assertEquals("ok", readString(s, 2));
        }
    }

    @Test
    void a_deadline_reached_while_blocked_ends_the_read_and_not_before() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        try (NetFD c = p[0]; NetFD s = p[1]) {
            long t0 = System.nanoTime();
            s.setReadDeadline(t0 + TimeUnit.MILLISECONDS.toNanos(100));
            DeadlineExceededException e = assertThrows(DeadlineExceededException.class, () -> s.read(ByteBuffer.allocate(1)));
            assertInstanceOf(java.net.SocketTimeoutException.class, e);
            long took = System.nanoTime() - t0;
            assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(100), "fired early: " + took);
            assertTrue(took < TimeUnit.SECONDS.toNanos(2), "fired late: " + took);
        }
    }

    @Test
    void a_deadline_set_while_blocked_applies_to_the_blocked_call() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        try (NetFD c = p[0]; NetFD s = p[1]) {
            CompletableFuture<Throwable> reader = failureOf(() -> s.read(ByteBuffer.allocate(1)));
            Thread.sleep(100);
            assertFalse(reader.isDone());
            s.setReadDeadline(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50));
            assertInstanceOf(DeadlineExceededException.class, reader.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void a_write_deadline_ends_a_write_blocked_on_a_full_buffer() throws Exception {
        NetFD[] sp = NetFD.socketPair(Sys.SOCK_STREAM);
        try (NetFD a = sp[0]; NetFD b = sp[1]) {
            a.setWriteDeadline(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100));
            assertThrows(DeadlineExceededException.class, () -> a.write(ByteBuffer.allocateDirect(8 << 20)));
        }
    }

    @Test
    void dial_timeout_is_a_socket_timeout() throws Exception {
        try (NetFD ln = NetFD.listen(LOOPBACK_ANY_PORT, 0, false)) {
            List<NetFD> made = fillAcceptQueue(ln); // returns once a dial failed with DeadlineExceededException
            made.forEach(NetFD::close);
        }
    }

    /**
     * Dials {@code ln} (backlog 0, never accepting) until a dial times out, which it does once the
     * accept queue is full: Linux then leaves further SYNs unanswered. Returns the connections made.
     */
    static List<NetFD> fillAcceptQueue(NetFD ln) throws IOException {
        List<NetFD> fill = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            try {
                fill.add(NetFD.dial(ln.localAddress(), TimeUnit.MILLISECONDS.toNanos(200)));
            } catch (DeadlineExceededException e) {
                return fill;
            }
        }
        fill.forEach(NetFD::close);
        throw new AssertionError("no dial timed out against a full accept queue");
    }

    static ByteBuffer filled(int size, int value) {
        ByteBuffer b = ByteBuffer.allocateDirect(size);
        while (b.hasRemaining()) {
            b.put((byte) value);
        }
        return b.flip();
    }

    @Test
    void a_peer_reset_is_a_socket_exception_with_the_errno_text() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        try (NetFD c = p[0]; NetFD s = p[1]) {
            c.setLinger(0);
            assertEquals(0, c.getLinger());
            c.close();
            SocketException e = assertThrows(SocketException.class, () -> {
                ByteBuffer buf = ByteBuffer.allocate(1);
                while (s.read(buf) >= 0) {
                    buf.clear();
                }
            });
            assertTrue(e.getMessage().contains("reset"), e.getMessage());
        }
    }

    @Test
    void try_peek_reports_would_block_data_and_end_of_stream_and_consumes_nothing() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        try (NetFD c = p[0]; NetFD s = p[1]) {
            assertTrue(s.mu.tryRwlock(true));
            try {
                assertEquals(NetFD.EAGAIN, s.tryPeek());
            } finally {
                s.readUnlock();
            }
            c.write(bytes("peek"));
            s.awaitReadable();
            s.awaitReadable();
            assertTrue(s.mu.tryRwlock(true));
            try {
                assertEquals(1, s.tryPeek());
            } finally {
                s.readUnlock();
            }
            assertEquals("peek", readString(s, 4));
            c.shutdownOutput();
            s.awaitReadable();
            assertTrue(s.mu.tryRwlock(true));
            try {
                assertEquals(NetFD.EOF, s.tryPeek());
            } finally {
                s.readUnlock();
            }
        }
    }

    @Test
    void await_readable_blocks_until_data_and_fails_like_a_read() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        try (NetFD c = p[0]; NetFD s = p[1]) {
            CompletableFuture<Throwable> waiter = failureOf(() -> {
                s.awaitReadable();
                return null;
            });
            Thread.sleep(100);
            assertFalse(waiter.isDone());
            c.write(bytes("x"));
            assertNull(waiter.get(5, TimeUnit.SECONDS));
            assertEquals("x", readString(s, 1));

            s.setReadDeadline(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50));
            assertThrows(DeadlineExceededException.class, s::awaitReadable);
            s.clearReadDeadline();

            waiter = failureOf(() -> {
                s.awaitReadable();
                return null;
            });
            Thread.sleep(100);
            s.close();
            assertInstanceOf(AsynchronousCloseException.class, waiter.get(5, TimeUnit.SECONDS));
            assertThrows(ClosedChannelException.class, s::awaitReadable);
        }
    }

    @Test
    void await_readable_throws_a_pending_reset_since_its_peek_takes_the_error() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        try (NetFD c = p[0]; NetFD s = p[1]) {
            c.setLinger(0);
            c.close();
            Thread.sleep(50);
            SocketException e = assertThrows(SocketException.class, s::awaitReadable);
            assertTrue(e.getMessage().contains("reset"), e.getMessage());
        }
    }

    @Test
    void await_readable_on_a_pipe_is_unsupported() throws Exception {
        NetFD[] p = NetFD.pipe();
        try (NetFD r = p[0]; NetFD w = p[1]) {
            assertThrows(UnsupportedOperationException.class, r::awaitReadable);
            w.write(bytes("p"));
            assertEquals("p", readString(r, 1));
        }
    }

    @Test
    void writing_to_a_peer_that_closed_is_a_socket_exception() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        try (NetFD c = p[0]; NetFD s = p[1]) {
            s.close();
            SocketException e = assertThrows(SocketException.class, () -> {
                for (int i = 0; i < 1000; i++) {
                    c.write(bytes("after close"));
                    Thread.sleep(1);
                }
            });
            assertTrue(e.getMessage().contains("Broken pipe") || e.getMessage().contains("reset"), e.getMessage());
        }
        NetFD[] pipe = NetFD.pipe();
        pipe[0].close();
        try (NetFD w = pipe[1]) {
            SocketException e = assertThrows(SocketException.class, () -> w.write(bytes("x")));
            assertTrue(e.getMessage().contains("Broken pipe"), e.getMessage());
        }
    }

    @Test
    void socket_writes_carry_msg_nosignal_so_a_closed_peer_raises_no_sigpipe() throws Exception {
        // The JVM ignores SIGPIPE, so an unblocked one leaves no trace. Blocked on the writing
        // thread, a SIGPIPE that a write raised stays pending there, where /proc shows it; the
        // thread's exit discards it.
        CompletableFuture<boolean[]> raised = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (Memory set = new Memory(TestLibC.SIGSET_SIZE)) {
                set.clear();
                set.setLong(0, 1L << (TestLibC.SIGPIPE - 1));
                assertEquals(0, TestLibC.pthread_sigmask(TestLibC.SIG_BLOCK, Pointer.nativeValue(set), 0));
                NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
                try (NetFD c = p[0]) {
                    p[1].close();
                    assertThrows(SocketException.class, () -> {
                        for (int i = 0; i < 1000; i++) {
                            c.write(bytes("after close"));
                            Thread.sleep(1);
                        }
                    });
                }
                boolean bySocket = TestLibC.pendingForThisThread(TestLibC.SIGPIPE);
                NetFD[] pipe = NetFD.pipe();
                pipe[0].close();
                try (NetFD w = pipe[1]) {
                    assertThrows(SocketException.class, () -> w.write(bytes("x")));
                }
                raised.complete(new boolean[] {bySocket, TestLibC.pendingForThisThread(TestLibC.SIGPIPE)});
            } catch (Throwable e) {
                raised.completeExceptionally(e);
            }
        });
        t.start();
        boolean[] r = join(raised);
        assertFalse(r[0], "a socket write to a closed peer raised SIGPIPE");
        assertTrue(r[1], "control: a pipe has no MSG_NOSIGNAL, its write does raise SIGPIPE, and the check sees it");
        assertEquals(Sys.MSG_NOSIGNAL, ((LinuxSocketLayer) SocketLayer.get()).sendFlags() & Sys.MSG_NOSIGNAL);
    }

    @Test
    void emfile_on_accept_fails_clearly_and_the_listener_recovers() throws Exception {
        try (NetFD ln = NetFD.listen(LOOPBACK_ANY_PORT, 8, false);
             NetFD warm = NetFD.dial(ln.localAddress(), TimeUnit.SECONDS.toNanos(5));
             NetFD warmed = ln.accept();
             NetFD client = NetFD.dial(ln.localAddress(), TimeUnit.SECONDS.toNanos(5))) {
            // Out of descriptors no class file opens: load the accept path and its error path first.
            assertThrows(BindException.class, () -> NetFD.listen(ln.localAddress(), 1, false));
            IOException e;
            try (FdLimit ignored = FdLimit.exhaust()) {
                e = assertThrows(IOException.class, ln::accept);
            }
            assertEquals(SocketException.class, e.getClass());
            assertTrue(e.getMessage().contains("Too many open files"), e.getMessage());
            assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> {
                try (NetFD s = ln.accept()) {
                    client.write(bytes("after"));
                    assertEquals("after", readString(s, 5));
                }
            });
        }
    }

    @Test
    void socket_options_round_trip() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        try (NetFD c = p[0]; NetFD s = p[1]) {
            c.setKeepAlive(true);
            assertEquals(1, c.getIntOption(Sys.SOL_SOCKET, Sys.SO_KEEPALIVE));
            c.setNoDelay(false);
            assertEquals(0, c.getIntOption(Sys.IPPROTO_TCP, Sys.TCP_NODELAY));
            c.setReceiveBufferSize(64 * 1024);
            assertTrue(c.getIntOption(Sys.SOL_SOCKET, Sys.SO_RCVBUF) >= 64 * 1024);
            c.setSendBufferSize(32 * 1024);
            assertEquals(2 * 32 * 1024, c.getIntOption(Sys.SOL_SOCKET, Sys.SO_SNDBUF), "Linux doubles what it is given (socket(7))");
            c.setLinger(3);
            assertEquals(3, c.getLinger());
            c.setLinger(-1);
            assertEquals(-1, c.getLinger());
        }
        try (NetFD a = NetFD.listen(LOOPBACK_ANY_PORT, 1, true)) {
            assertEquals(1, a.getIntOption(Sys.SOL_SOCKET, Sys.SO_REUSEADDR), "listeners reuse addresses");
            assertEquals(1, a.getIntOption(Sys.SOL_SOCKET, Sys.SO_REUSEPORT));
            try (NetFD b = NetFD.listen(a.localAddress(), 1, true)) {
                assertEquals(a.localAddress(), b.localAddress(), "SO_REUSEPORT lets a second listener bind the same port");
            }
        }
    }

    @Test
    void an_interrupted_blocking_read_fails_and_leaves_the_connection_usable() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        try (NetFD c = p[0]; NetFD s = p[1]) {
            AtomicReference<Throwable> error = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    s.read(ByteBuffer.allocate(1));
                } catch (Throwable e) {
                    error.set(e);
                }
            });
            t.start();
            Thread.sleep(100);
            t.interrupt();
            t.join(5000);
            assertInstanceOf(InterruptedIOException.class, error.get());
            c.write(bytes("z"));
            assertEquals("z", readString(s, 1));
        }
    }

    // ---- CompletableFuture API -------------------------------------------------------------------

    @Test
    void futures_complete_off_the_polling_thread_and_serialise_like_blocking_calls() throws Exception {
        Set<Thread> execThreads = ConcurrentHashMap.newKeySet();
        ExecutorService exec = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "test-exec");
            execThreads.add(t);
            return t;
        });
        try (NetFD ln = NetFD.listen(LOOPBACK_ANY_PORT, 4, false)) {
            CompletableFuture<NetFD> accepted = ln.acceptAsync(exec);
            NetFD c = join(NetFD.dialAsync(ln.localAddress(), TimeUnit.SECONDS.toNanos(5), exec));
            NetFD s = join(accepted);
            try (c; s) {
                ByteBuffer first = ByteBuffer.allocate(3);
                ByteBuffer second = ByteBuffer.allocate(3);
                CompletableFuture<Thread> where = s.readAsync(first, exec).thenApply(n -> Thread.currentThread());
                CompletableFuture<Integer> queued = s.readAsync(second, exec);
                Thread.sleep(50);
                assertFalse(where.isDone());
                assertEquals(6, join(c.writeAsync(bytes("abcdef"), exec)));
                Thread completer = join(where);
                assertTrue(execThreads.contains(completer), "completion runs on the executor's threads, not on " + completer);
                assertNotSame(Netpoll.get().driverThread(), completer, "never on the thread that polls");
                assertEquals(3, join(queued));
                assertEquals("abc", new String(first.array(), StandardCharsets.UTF_8));
                assertEquals("def", new String(second.array(), StandardCharsets.UTF_8));
            }
        } finally {
            exec.shutdownNow();
        }
    }

    @Test
    void a_future_read_fails_with_asynchronous_close_when_the_fd_closes() throws Exception {
        NetFD[] sp = NetFD.socketPair(Sys.SOCK_STREAM);
        CompletableFuture<Integer> pending = sp[0].readAsync(ByteBuffer.allocate(4), NetFD.defaultExecutor());
        Thread.sleep(50);
        sp[0].close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(5, TimeUnit.SECONDS));
        assertInstanceOf(AsynchronousCloseException.class, e.getCause());
        sp[1].close();
    }

    @Test
    void an_async_read_still_completes_after_its_executor_shut_down_and_the_poller_survives() throws Exception {
        ExecutorService exec = Executors.newSingleThreadExecutor();
        NetFD[] sp = NetFD.socketPair(Sys.SOCK_STREAM);
        try (NetFD a = sp[0]; NetFD b = sp[1]) {
            CompletableFuture<Integer> pending = b.readAsync(ByteBuffer.allocate(4), exec);
            Thread.sleep(50);
            exec.shutdownNow();
            a.write(bytes("late"));
            assertEquals(4, pending.get(5, TimeUnit.SECONDS), "completed on the common pool instead");
            b.setReadDeadline(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50));
            assertThrows(DeadlineExceededException.class, () -> b.read(ByteBuffer.allocate(1)),
                    "the driver still polls and fires deadlines");
        }
    }

    @Test
    void an_async_gathering_write_blocked_on_a_full_buffer_completes_once_the_peer_drains() throws Exception {
        NetFD[] sp = NetFD.socketPair(Sys.SOCK_STREAM);
        try (NetFD a = sp[0]; NetFD b = sp[1]) {
            a.setSendBufferSize(4096);
            ByteBuffer[] srcs = {filled(256 << 10, 1), ByteBuffer.allocate(0), filled(256 << 10, 2)};
            CompletableFuture<Long> written = a.writeAsync(srcs, NetFD.defaultExecutor());
            Thread.sleep(100);
            assertFalse(written.isDone(), "blocked: the peer reads nothing yet");
            ByteBuffer x = ByteBuffer.allocateDirect(256 << 10);
            ByteBuffer y = ByteBuffer.allocateDirect(256 << 10);
            long got = 0;
            while (got < 512 << 10) {
                long n = join(b.readAsync(new ByteBuffer[] {x, y}, NetFD.defaultExecutor()));
                assertTrue(n > 0, "read " + n);
                got += n;
            }
            assertEquals(512 << 10, join(written));
            assertEquals(1, x.get(x.limit() - 1));
            assertEquals(2, y.get(0));
            assertEquals(2, y.get(y.limit() - 1));
        }
    }

    @Test
    void an_async_scattering_read_waits_for_data_and_reports_end_of_stream() throws Exception {
        NetFD[] sp = NetFD.socketPair(Sys.SOCK_STREAM);
        try (NetFD a = sp[0]; NetFD b = sp[1]) {
            ByteBuffer x = ByteBuffer.allocateDirect(2);
            ByteBuffer y = ByteBuffer.allocateDirect(8);
            CompletableFuture<Long> read = b.readAsync(new ByteBuffer[] {x, y}, NetFD.defaultExecutor());
            Thread.sleep(50);
            assertFalse(read.isDone());
            a.write(bytes("abcde"));
            assertEquals(5, join(read));
            x.flip();
            y.flip();
            assertEquals("ab", StandardCharsets.UTF_8.decode(x).toString());
            assertEquals("cde", StandardCharsets.UTF_8.decode(y).toString());
            a.shutdownOutput();
            assertEquals(-1, join(b.readAsync(new ByteBuffer[] {ByteBuffer.allocateDirect(1)}, NetFD.defaultExecutor())));
        }
    }

    @Test
    void an_async_read_past_its_deadline_fails_with_deadline_exceeded() throws Exception {
        NetFD[] sp = NetFD.socketPair(Sys.SOCK_STREAM);
        try (NetFD a = sp[0]; NetFD b = sp[1]) {
            long t0 = System.nanoTime();
            b.setReadDeadline(t0 + TimeUnit.MILLISECONDS.toNanos(100));
            CompletableFuture<Integer> read = b.readAsync(ByteBuffer.allocate(1), NetFD.defaultExecutor());
            ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(5, TimeUnit.SECONDS));
            assertInstanceOf(DeadlineExceededException.class, e.getCause());
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(100), "not before the deadline");
            b.clearReadDeadline();
            a.write(bytes("k"));
            assertEquals(1, join(b.readAsync(ByteBuffer.allocate(1), NetFD.defaultExecutor())), "the descriptor stays usable");
        }
    }

    @Test
    void an_async_dial_past_its_timeout_fails_with_deadline_exceeded() throws Exception {
        try (NetFD ln = NetFD.listen(LOOPBACK_ANY_PORT, 0, false)) {
            List<NetFD> fill = fillAcceptQueue(ln);
            try {
                long t0 = System.nanoTime();
                CompletableFuture<NetFD> dial = NetFD.dialAsync(ln.localAddress(), TimeUnit.MILLISECONDS.toNanos(200), NetFD.defaultExecutor());
                ExecutionException e = assertThrows(ExecutionException.class, () -> dial.get(10, TimeUnit.SECONDS));
                assertInstanceOf(DeadlineExceededException.class, e.getCause());
                long took = System.nanoTime() - t0;
                assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(200) && took < TimeUnit.SECONDS.toNanos(2), "timed out after " + took / 1_000_000 + " ms");
            } finally {
                fill.forEach(NetFD::close);
            }
        }
    }

    @Test
    void shutdown_input_ends_a_pending_async_read_with_end_of_stream_and_leaves_writing_open() throws Exception {
        NetFD[] p = tcpPair(LOOPBACK_ANY_PORT);
        try (NetFD c = p[0]; NetFD s = p[1]) {
            CompletableFuture<Integer> pending = s.readAsync(ByteBuffer.allocate(8), NetFD.defaultExecutor());
            Thread.sleep(50);
            assertFalse(pending.isDone());
            s.shutdownInput();
            assertEquals(-1, join(pending));
            assertEquals(-1, s.read(ByteBuffer.allocate(8)), "and every later read");
            assertEquals(2, join(s.writeAsync(bytes("up"), NetFD.defaultExecutor())));
            assertEquals("up", readString(c, 2), "the other direction still works");
        }
    }

    @Test
    void udp_futures() throws Exception {
        try (NetFD a = NetFD.bindDatagram(LOOPBACK_ANY_PORT); NetFD b = NetFD.bindDatagram(LOOPBACK_ANY_PORT)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(16);
            CompletableFuture<SocketAddress> from = b.recvFromAsync(buf, NetFD.defaultExecutor());
            assertEquals(2, join(a.sendToAsync(bytes("hi"), b.localAddress(), NetFD.defaultExecutor())));
            assertEquals(a.localAddress(), join(from));
            assertEquals(2, buf.position());
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    interface IoCall {
        Object call() throws Exception;
    }

    static CompletableFuture<Throwable> failureOf(IoCall call) {
        CompletableFuture<Throwable> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                call.call();
                f.complete(null);
            } catch (Throwable e) {
                f.complete(e);
            }
        });
        t.setDaemon(true);
        t.start();
        return f;
    }

    static <T> T join(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception) {
                throw (Exception) e.getCause();
            }
            throw e;
        }
    }
}
