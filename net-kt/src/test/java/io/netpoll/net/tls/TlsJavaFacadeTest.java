package io.netpoll.net.tls;

import io.netpoll.testing.TestCerts;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS from Java with no coroutine in sight: dialBlocking and acceptBlocking/acceptAsync, the
 * blocking and future calls, streams, a cancelled readAsync that leaves the data for the next
 * read, and an interrupt ending a blocking read with InterruptedIOException (flag kept).
 */
class TlsJavaFacadeTest {
    private static TlsConfig server;
    private static TlsConfig client;

    @BeforeAll
    static void certificates() throws Exception {
        Assumptions.assumeTrue(TestCerts.INSTANCE.getAvailable(), "openssl is not installed");
        server = TlsConfig.builder().certificate(TestCerts.INSTANCE.file("ec.pem"), TestCerts.INSTANCE.file("ec.key")).build();
        client = TlsConfig.builder().rootCAs(TestCerts.INSTANCE.getCa()).build();
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String ascii(ByteBuffer b) {
        b.flip();
        return StandardCharsets.US_ASCII.decode(b).toString();
    }

    /** A listener, a client dialled to it and the server's side, both handshaken. */
    private record Pair(TlsListener ln, TlsConn c, TlsConn s) implements AutoCloseable {
        /** Dials with {@code timeout}, or with the overload that takes none when it is null. */
        static Pair open(Duration timeout) throws Exception {
            TlsListener ln = Tls.listen("tcp", "127.0.0.1:0", server);
            try {
                int port = ((InetSocketAddress) ln.getLocalAddress()).getPort();
                // Tls.dialBlocking returns after the handshake, so the server's side runs meanwhile.
                CompletableFuture<TlsConn> accepted =
                        ln.acceptAsync().thenCompose(s -> s.handshakeAsync().thenApply(done -> s));
                String address = "localhost:" + port;
                TlsConn c = timeout == null
                        ? Tls.dialBlocking("tcp", address, client)
                        : Tls.dialBlocking("tcp", address, client, timeout);
                return new Pair(ln, c, accepted.get(10, TimeUnit.SECONDS));
            } catch (Exception e) {
                ln.close();
                throw e;
            }
        }

        @Override
        public void close() throws Exception {
            c.close();
            s.close();
            ln.close();
        }
    }

    @Test
    void blockingCallsAndStreamsBothWays() throws Exception {
        try (Pair p = Pair.open(Duration.ofSeconds(10))) {
            TlsConn c = p.c();
            TlsConn s = p.s();
            assertEquals("TLSv1.3", c.connectionState().getVersion());
            c.writeBlocking(ascii("ping\n"));
            BufferedReader lines = new BufferedReader(new InputStreamReader(s.asInputStream(), StandardCharsets.US_ASCII));
            assertEquals("ping", lines.readLine());
            OutputStream out = s.asOutputStream();
            out.write("pong".getBytes(StandardCharsets.US_ASCII));
            ByteBuffer got = ByteBuffer.allocate(4);
            c.readFullyBlocking(got);
            assertEquals("pong", ascii(got));
            assertEquals(4, s.writeAsync(ascii("next")).get(10, TimeUnit.SECONDS));
            ByteBuffer more = ByteBuffer.allocate(4);
            assertEquals(4, c.readAsync(more).get(10, TimeUnit.SECONDS));
            assertEquals("next", ascii(more));
        }
    }

    @Test
    void aCancelledReadAsyncLeavesTheDataForTheNextRead() throws Exception {
        try (Pair p = Pair.open(null)) {
            TlsConn c = p.c();
            TlsConn s = p.s();
            ByteBuffer abandoned = ByteBuffer.allocate(16);
            CompletableFuture<Integer> read = c.readAsync(abandoned);
            Thread.sleep(50);
            assertTrue(read.cancel(true));
            s.writeBlocking(ascii("data"));
            ByteBuffer got = ByteBuffer.allocate(4);
            c.readFullyBlocking(got);
            assertEquals("data", ascii(got));
            assertEquals(0, abandoned.position());
        }
    }

    @Test
    void anInterruptEndsABlockingReadWithInterruptedIOException() throws Exception {
        try (Pair p = Pair.open(null)) {
            TlsConn c = p.c();
            TlsConn s = p.s();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicReference<Boolean> flag = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    c.readBlocking(ByteBuffer.allocate(16));
                } catch (Throwable t) {
                    failure.set(t);
                    flag.set(Thread.currentThread().isInterrupted());
                }
            });
            reader.start();
            Thread.sleep(100);
            reader.interrupt();
            reader.join(10_000);
            assertInstanceOf(InterruptedIOException.class, failure.get());
            assertEquals(true, flag.get());
            // The connection is still usable.
            s.writeBlocking(ascii("ok"));
            ByteBuffer got = ByteBuffer.allocate(2);
            c.readFullyBlocking(got);
            assertEquals("ok", ascii(got));
        }
    }
}
