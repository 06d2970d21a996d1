package io.netpoll.net.api;

import io.netpoll.net.Conn;
import io.netpoll.net.Listener;
import io.netpoll.net.Net;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Java examples of docs/net-api.md, verbatim, and their checks. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NetApiExamplesTest {
    /** docs/net-api.md "Dialling a SocketAddress", Java. */
    static Conn dialFromJava(InetSocketAddress address) throws IOException {
        return Net.dialBlocking(address, Duration.ofSeconds(2));
    }

    @Test
    void dialsASocketAddressFromJava() throws Exception {
        try (Listener ln = Net.listen("tcp", "127.0.0.1:0")) {
            CompletableFuture<Conn> accepted = ln.acceptAsync();
            try (Conn c = dialFromJava((InetSocketAddress) ln.getLocalAddress()); Conn s = accepted.get()) {
                c.writeBlocking(ByteBuffer.wrap(new byte[] {42}));
                ByteBuffer b = ByteBuffer.allocate(1);
                s.readFullyBlocking(b);
                assertEquals(42, b.get(0));
            }
        }
    }

    @Test
    void aRefusedDialFromJavaNamesTheAddressInBothForms() throws Exception {
        int port;
        try (Listener ln = Net.listen("tcp", "127.0.0.1:0")) {
            port = ((InetSocketAddress) ln.getLocalAddress()).getPort();
        }
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", port);
        ConnectException e = assertThrows(ConnectException.class, () -> dialFromJava(to));
        assertTrue(e.getMessage().startsWith("dial tcp 127.0.0.1:" + port + ": "), e.getMessage());
        ExecutionException f = assertThrows(ExecutionException.class, () -> Net.dialAsync(to).get());
        assertInstanceOf(ConnectException.class, f.getCause());
        assertTrue(f.getCause().getMessage().startsWith("dial tcp 127.0.0.1:" + port + ": "), f.getCause().getMessage());
    }
}
