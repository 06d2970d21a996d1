package io.netpoll.testing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each fault of {@link FaultProxy} happens on the wire as described, seen by a java.net client
 * through the proxy to a java.net echo server (thread per connection, echoes until end of stream,
 * then closes).
 */
class FaultProxyTest {
    private ServerSocket echo;
    private Thread echoAcceptor;
    private final List<Socket> echoConns = new ArrayList<>();
    /** How each echo connection ended: "EOF after N" or the exception, in order of ending. */
    private final BlockingQueue<String> echoEnds = new LinkedBlockingQueue<>();
    private FaultProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        echoAcceptor = new Thread(() -> {
            while (true) {
                Socket s;
                try {
                    s = echo.accept();
                } catch (IOException e) {
                    return;
                }
                synchronized (echoConns) {
                    echoConns.add(s);
                }
                Thread t = new Thread(() -> echoEnds.add(echoUntilEnd(s)), "echo-target");
                t.setDaemon(true);
                t.start();
            }
        }, "echo-target-accept");
        echoAcceptor.setDaemon(true);
        echoAcceptor.start();
        proxy = FaultProxy.to(echo.getLocalPort());
    }

    private static String echoUntilEnd(Socket s) {
        long total = 0;
        try (s) {
            byte[] b = new byte[8192];
            int n;
            while ((n = s.getInputStream().read(b)) >= 0) {
                s.getOutputStream().write(b, 0, n);
                total += n;
            }
            return "EOF after " + total;
        } catch (IOException e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    private String echoEnd() throws InterruptedException {
        String end = echoEnds.poll(5, TimeUnit.SECONDS);
        assertTrue(end != null, "the echo server's connection did not end");
        return end;
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        echo.close();
        echoAcceptor.join(5_000);
        synchronized (echoConns) {
            for (Socket s : echoConns) s.close();
        }
    }

    private Socket client() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port()), 2_000);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Writes {@code n} bytes of {@code data} from a thread (then half-closes if asked), so reads can run meanwhile. */
    private static Thread writeInBackground(Socket s, SeededStream data, int n, boolean shutdown) {
        Thread t = new Thread(() -> {
            try {
                s.getOutputStream().write(data.bytes(0, n));
                if (shutdown) s.shutdownOutput();
            } catch (IOException e) {
                // The fault under test may end the connection while writing.
            }
        }, "test-writer");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Reads and verifies until end of stream; the number of reads it took. */
    private static int readToEnd(Socket s, SeededStream.Verifier v) throws IOException {
        byte[] b = new byte[64 * 1024];
        int reads = 0;
        int n;
        while ((n = s.getInputStream().read(b)) >= 0) {
            v.accept(b, 0, n);
            reads++;
        }
        return reads;
    }

    private static void readExactly(Socket s, SeededStream.Verifier v, long until) throws IOException {
        byte[] b = new byte[64 * 1024];
        while (v.verified() < until) {
            int n = s.getInputStream().read(b, 0, (int) Math.min(b.length, until - v.verified()));
            assertTrue(n > 0, "stream ended after " + v.verified() + " of " + until + " bytes");
            v.accept(b, 0, n);
        }
    }

    @Test
    void without_faults_1_MiB_goes_through_both_ways_intact_and_is_counted() throws Exception {
        SeededStream data = new SeededStream(1);
        int n = 1 << 20;
        try (Socket c = client()) {
            Thread w = writeInBackground(c, data, n, true);
            SeededStream.Verifier v = data.verifier();
            readToEnd(c, v);
            w.join(5_000);
            assertEquals(n, v.verified());
        }
        assertTrue(proxy.awaitIdle(5_000), proxy.toString());
        assertEquals(n, proxy.bytesToServer());
        assertEquals(n, proxy.bytesToClient());
        assertEquals(1, proxy.connections());
    }

    @Test
    void a_reset_at_byte_N_is_connection_reset_at_the_client_after_at_most_N_bytes() throws Exception {
        proxy.faults(Fault.none(), Fault.none().resetAt(10_000));
        SeededStream data = new SeededStream(2);
        try (Socket c = client()) {
            writeInBackground(c, data, 100_000, false);
            SeededStream.Verifier v = data.verifier();
            SocketException e = assertThrows(SocketException.class, () -> readToEnd(c, v));
            assertEquals(SocketException.class, e.getClass());
            assertEquals("Connection reset", e.getMessage());
            assertTrue(v.verified() <= 10_000, v.verified() + " bytes");
            System.out.println("FaultProxyTest: reset@10000 -> client read " + v.verified() + " bytes, then " + e);
        }
        // The server's side is reset too (its read says "Connection reset", or a write "Broken pipe").
        String serverEnd = echoEnd();
        assertTrue(serverEnd.startsWith("java.net.SocketException: "), serverEnd);
        assertEquals(10_000, proxy.bytesToClient());
        assertTrue(proxy.awaitIdle(5_000), proxy.toString());
    }

    @Test
    void fragmenting_into_1_byte_segments_makes_the_client_read_many_times() throws Exception {
        SeededStream data = new SeededStream(3);
        int n = 4_000;
        int plain;
        try (Socket c = client()) {
            writeInBackground(c, data, n, true);
            plain = readToEnd(c, data.verifier());
        }
        proxy.faults(Fault.none(), Fault.none().fragment(1));
        try (Socket c = client()) {
            writeInBackground(c, data, n, true);
            SeededStream.Verifier v = data.verifier();
            int reads = readToEnd(c, v);
            System.out.println("FaultProxyTest: " + n + " bytes in " + plain + " reads plain, " + reads + " reads in 1-byte segments");
            assertEquals(n, v.verified());
            assertTrue(reads >= 20, reads + " reads");
        }
    }

    @Test
    void a_stall_stops_forwarding_at_the_chosen_byte_until_it_resumes() throws Exception {
        proxy.faults(Fault.none(), Fault.none().stallAt(1_000).resumeAfter(600));
        SeededStream data = new SeededStream(4);
        try (Socket c = client()) {
            long t0 = System.nanoTime();
            writeInBackground(c, data, 5_000, true);
            SeededStream.Verifier v = data.verifier();
            readExactly(c, v, 1_000);
            c.setSoTimeout(200);
            assertThrows(SocketTimeoutException.class, () -> c.getInputStream().read());
            c.setSoTimeout(10_000);
            readToEnd(c, v);
            assertEquals(5_000, v.verified());
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(600));
        }
    }

    @Test
    void a_stall_without_resume_holds_until_the_proxy_closes() throws Exception {
        proxy.faults(Fault.none(), Fault.none().stallAt(500));
        SeededStream data = new SeededStream(5);
        try (Socket c = client()) {
            c.getOutputStream().write(data.bytes(0, 1_000));
            SeededStream.Verifier v = data.verifier();
            readExactly(c, v, 500);
            c.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, () -> c.getInputStream().read());
            assertEquals(1, proxy.active());
            proxy.close();
            c.setSoTimeout(5_000);
            assertEquals(-1, c.getInputStream().read());
        }
    }

    @Test
    void truncation_ends_both_directions_cleanly_at_the_chosen_byte() throws Exception {
        proxy.faults(Fault.none(), Fault.none().truncateAt(3_000));
        SeededStream data = new SeededStream(6);
        try (Socket c = client()) {
            writeInBackground(c, data, 10_000, false);
            SeededStream.Verifier v = data.verifier();
            readToEnd(c, v);
            assertEquals(3_000, v.verified());
            // Still open on our side: writing more is read and dropped by the proxy, not reset.
            c.getOutputStream().write(new byte[100]);
        }
        assertTrue(echoEnd().startsWith("EOF after "));
        assertTrue(proxy.awaitIdle(5_000), proxy.toString());
        assertEquals(3_000, proxy.bytesToClient());
    }

    @Test
    void a_half_close_ends_one_direction_and_the_other_goes_on() throws Exception {
        proxy.faults(Fault.none(), Fault.none().halfCloseAt(1_000));
        SeededStream data = new SeededStream(7);
        try (Socket c = client()) {
            c.getOutputStream().write(data.bytes(0, 2_000));
            SeededStream.Verifier v = data.verifier();
            readToEnd(c, v);
            assertEquals(1_000, v.verified());
            c.getOutputStream().write(data.bytes(2_000, 3_000));
            c.shutdownOutput();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (proxy.bytesToServer() < 5_000 && System.nanoTime() < until) Thread.sleep(5);
            assertEquals(5_000, proxy.bytesToServer());
        }
        assertTrue(proxy.awaitIdle(5_000), proxy.toString());
    }

    @Test
    void a_half_close_towards_the_server_is_end_of_stream_there_and_its_answer_still_arrives() throws Exception {
        proxy.faults(Fault.none().halfCloseAt(1_500), Fault.none());
        SeededStream data = new SeededStream(8);
        try (Socket c = client()) {
            c.getOutputStream().write(data.bytes(0, 4_000));
            SeededStream.Verifier v = data.verifier();
            readToEnd(c, v); // the echo server saw its end of stream after 1,500 bytes and closed
            assertEquals(1_500, v.verified());
        }
        assertEquals("EOF after 1500", echoEnd());
    }

    @Test
    void a_delay_holds_each_chunk_that_long() throws Exception {
        proxy.faults(Fault.none().delay(300), Fault.none());
        try (Socket c = client()) {
            long t0 = System.nanoTime();
            c.getOutputStream().write('x');
            assertEquals('x', c.getInputStream().read());
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(300));
        }
    }

    @Test
    void a_throttle_bounds_the_rate() throws Exception {
        proxy.faults(Fault.none(), Fault.none().throttle(100_000));
        SeededStream data = new SeededStream(9);
        try (Socket c = client()) {
            long t0 = System.nanoTime();
            writeInBackground(c, data, 50_000, true);
            SeededStream.Verifier v = data.verifier();
            readToEnd(c, v);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.println("FaultProxyTest: 50,000 bytes at 100,000 B/s took " + millis + " ms");
            assertEquals(50_000, v.verified());
            assertTrue(millis >= 450, millis + " ms");
        }
    }

    @Test
    void corruption_flips_exactly_the_chosen_byte_and_the_verifier_names_its_offset() throws Exception {
        proxy.faults(Fault.none(), Fault.none().corruptAt(777));
        SeededStream data = new SeededStream(10);
        try (Socket c = client()) {
            writeInBackground(c, data, 2_000, true);
            byte[] got = c.getInputStream().readAllBytes();
            assertEquals(2_000, got.length);
            for (int i = 0; i < got.length; i++) {
                assertEquals(i == 777 ? (byte) ~data.at(i) : data.at(i), got[i], "byte " + i);
            }
            AssertionError e = assertThrows(AssertionError.class, () -> data.verifier().accept(got, 0, got.length));
            assertTrue(e.getMessage().contains("byte 777 "), e.getMessage());
        }
    }

    @Test
    void the_verifier_catches_a_duplicated_and_a_lost_byte() {
        SeededStream data = new SeededStream(11);
        byte[] b = data.bytes(0, 100);
        SeededStream.Verifier dup = data.verifier();
        dup.accept(b, 0, 50);
        assertThrows(AssertionError.class, () -> dup.accept(b, 49, 51));
        assertEquals(50, dup.verified());
        SeededStream.Verifier lost = data.verifier();
        lost.accept(b, 0, 50);
        assertThrows(AssertionError.class, () -> lost.accept(b, 51, 49));
        assertEquals(50, lost.verified());
    }

    @Test
    void close_ends_every_connection_and_joins_its_threads() throws Exception {
        int fdsBefore = openDescriptors();
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Socket c = client();
            c.getOutputStream().write('a');
            assertEquals('a', c.getInputStream().read());
            clients.add(c);
        }
        assertEquals(3, proxy.active());
        assertTrue(proxyThreads() >= 7, proxyThreads() + " proxy threads");
        proxy.close();
        for (Socket c : clients) {
            assertEquals(-1, c.getInputStream().read());
            c.close();
        }
        assertEquals(0, proxy.active());
        assertEquals(0, proxyThreads());
        // The echo side closes when it reads the proxy's FIN.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (openDescriptors() > fdsBefore - 1 && System.nanoTime() < until) Thread.sleep(10);
        // The proxy's own listener is closed too: one descriptor fewer than before (or fewer still,
        // if something an earlier test left behind is closed meanwhile; a leak leaves more).
        int open = openDescriptors();
        assertTrue(open <= fdsBefore - 1, open + " descriptors open, " + fdsBefore + " before");
    }

    @Test
    void at_most_max_connections_are_served_at_once_and_the_next_waits_its_turn() throws Exception {
        proxy.close();
        proxy = new FaultProxy(new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.getLocalPort()), 1);
        try (Socket first = client(); Socket second = client()) {
            first.getOutputStream().write('1');
            assertEquals('1', first.getInputStream().read());
            second.getOutputStream().write('2');
            second.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, () -> second.getInputStream().read());
            first.close();
            second.setSoTimeout(5_000);
            assertEquals('2', second.getInputStream().read());
            assertEquals(2, proxy.connections());
        }
    }

    private static int openDescriptors() {
        String[] names = new File("/proc/self/fd").list();
        return names == null ? -1 : names.length;
    }

    private int proxyThreads() {
        String prefix = "fault-proxy-" + proxy.port() + "-";
        return (int) Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith(prefix) && t.isAlive()).count();
    }
}
