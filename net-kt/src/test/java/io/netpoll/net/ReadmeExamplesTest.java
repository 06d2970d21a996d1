package io.netpoll.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The README's net-kt Java example, with the README's calls in the README's order, followed by
 * the test's checks. README.md must show the same code.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReadmeExamplesTest {
    @Test
    void theNetKtJavaExampleCarriesPingBothWays() throws Exception {
        try (Listener ln = Net.listen("tcp", "127.0.0.1:0")) {
            CompletableFuture<Conn> accepted = ln.acceptAsync();
            int port = ((InetSocketAddress) ln.getLocalAddress()).getPort();
            try (Conn c = Net.dialBlocking("tcp", "127.0.0.1:" + port, Duration.ofSeconds(2));
                 Conn s = accepted.get()) {
                c.writeBlocking(ByteBuffer.wrap("ping".getBytes()));   // parks this thread while needed
                ByteBuffer b = ByteBuffer.allocate(4);
                s.readFullyBlocking(b);
                s.asOutputStream().write(b.array());                    // streams close the connection on close()

                // The test's checks: the server read "ping" and its stream write reached the client.
                assertEquals("ping", new String(b.array(), StandardCharsets.US_ASCII));
                ByteBuffer back = ByteBuffer.allocate(4);
                c.readFullyBlocking(back);
                assertEquals("ping", new String(back.array(), StandardCharsets.US_ASCII));
            }
        }
    }
}
