package io.netpoll.poller;

import com.sun.jna.NativeLibrary;
import io.netpoll.poller.fd.NetFD;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NetFD on the process Netpoll with the kqueue backend over our shim built with
 * {@code -DLIBKQUEUE_COPYOUT}: a user-space kqueue that does what libkqueue's copyout does and a
 * kernel kqueue never does (see kqueue_shim.c): it reads SO_ERROR to put the socket error in the
 * event, which clears it, and it drops the events that do not fit the event list. These are the
 * three failures a run over libkqueue showed: a refused dial that waited out its timeout, a reset
 * that {@code awaitReadable} did not throw, and a lost wakeup among 1,000 socketpairs.
 *
 * <p>Runs in a JVM of its own (execution kqueue-binding-own-jvm), which it points at the shim and
 * the kqueue backend before anything binds; skipped with the reason printed without gcc.
 */
class KqueueLibraryFaultsTest {
    private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static Path shim;

    @BeforeAll
    static void selectTheShimAsTheProcessBackend() throws Exception {
        shim = KqueueShim.buildAndSelect("KqueueLibraryFaultsTest", "LIBKQUEUE_COPYOUT");
        System.setProperty("netpoll.backend", "kqueue");
        assertEquals("kqueue", Netpoll.get().stats().backend());
    }

    @Test
    void a_refused_dial_fails_at_once_though_the_library_took_so_error_for_the_event() throws Exception {
        SocketAddress free;
        try (NetFD ln = NetFD.listen(LOOPBACK_ANY_PORT, 1, false)) {
            free = ln.localAddress();
        }
        SocketAddress portZero = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        long timeout = TimeUnit.SECONDS.toNanos(10);
        long t0 = System.nanoTime();
        for (SocketAddress to : new SocketAddress[] {free, portZero}) {
            ConnectException e = assertThrows(ConnectException.class, () -> NetFD.dial(to, timeout), to.toString());
            assertTrue(e.getMessage().contains("refused"), e.getMessage());
            ExecutionException async = assertThrows(ExecutionException.class,
                    () -> NetFD.dialAsync(to, timeout, NetFD.defaultExecutor()).get(20, TimeUnit.SECONDS));
            assertInstanceOf(ConnectException.class, async.getCause());
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.printf("kqueue library faults: 4 refused dials (closed port, port 0; blocking, future) failed in %d ms in all%n", ms);
        assertTrue(ms < 5_000, "failed fast, not at the 10 s timeout: " + ms + " ms");
    }

    @Test
    void a_reset_reported_only_in_the_event_is_thrown_by_await_readable_and_by_read() throws Exception {
        NetFD[] p = tcpPair();
        try (NetFD c = p[0]; NetFD s = p[1]) {
            c.setLinger(0);
            c.close();
            awaitHangUp(s);
            SocketException e = assertThrows(SocketException.class, s::awaitReadable);
            assertTrue(e.getMessage().contains("reset"), e.getMessage());
            assertEquals(-1, s.read(ByteBuffer.allocate(1)), "reported once: then the end of the stream");
        }
        p = tcpPair();
        try (NetFD c = p[0]; NetFD s = p[1]) {
            CompletableFuture<Integer> read = s.readAsync(ByteBuffer.allocate(1), NetFD.defaultExecutor());
            c.setLinger(0);
            c.close();
            ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(20, TimeUnit.SECONDS));
            assertInstanceOf(SocketException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("reset"), e.getCause().getMessage());
        }
    }

    @Test
    void a_thousand_socketpairs_lose_no_wakeup_to_events_the_library_dropped() throws Exception {
        long droppedBefore = dropped();
        StressTest.roundTrips("kqueue library faults, stress", 1000, 20, 50);
        long dropped = dropped() - droppedBefore;
        System.out.printf("kqueue library faults: the library dropped %d kevents that did not fit the event list%n", dropped);
        assertTrue(dropped > 0, "the run overflowed the event list, as it did over libkqueue");
    }

    /** A connected TCP pair: [client, server side]. */
    private static NetFD[] tcpPair() throws IOException {
        try (NetFD ln = NetFD.listen(LOOPBACK_ANY_PORT, 16, false)) {
            NetFD client = NetFD.dial(ln.localAddress(), TimeUnit.SECONDS.toNanos(5));
            return new NetFD[] {client, ln.accept()};
        }
    }

    /** Polls until the poller has taken the reset's event (and with it, in the library, SO_ERROR). */
    private static void awaitHangUp(NetFD fd) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!fd.pollDesc().hungUp()) {
            assertTrue(System.nanoTime() < end, "no hang-up event within 10 s");
            Netpoll.get().poll(TimeUnit.MILLISECONDS.toNanos(10));
            Thread.sleep(1);
        }
    }

    private static long dropped() {
        return NativeLibrary.getInstance(shim.toString()).getFunction("kqueue_shim_dropped").invokeLong(new Object[0]);
    }
}
