package io.netpoll.benchmarks.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PeerArgsTest {
    @Test
    void plaintext() {
        PeerArgs args = PeerArgs.parse(new String[] {"echo", "--addr", "127.0.0.1:7001"});
        assertEquals("echo", args.server());
        assertEquals(7001, args.address().getPort());
        assertFalse(args.tls());
        assertEquals(args, args.plaintextOnly("loom"));
    }

    @Test
    void tls() {
        PeerArgs args = PeerArgs.parse(new String[] {"http", "--tls-cert", "c.pem", "--addr", "127.0.0.1:0", "--tls-key", "k.pem"});
        assertTrue(args.tls());
        assertEquals(Path.of("c.pem"), args.tlsCert());
        assertEquals(Path.of("k.pem"), args.tlsKey());
        assertEquals("loom serves no TLS",
                assertThrows(IllegalArgumentException.class, () -> args.plaintextOnly("loom")).getMessage());
    }

    @Test
    void refusesIncompleteCommandLines() {
        for (String[] argv : new String[][] {
                {"http"}, {"http", "--addr"}, {"http", "--port", "1"},
                {"http", "--addr", "127.0.0.1:1", "--tls-cert", "c.pem"}, {"http", "--addr", "localhost"}}) {
            assertThrows(IllegalArgumentException.class, () -> PeerArgs.parse(argv), String.join(" ", argv));
        }
    }
}
