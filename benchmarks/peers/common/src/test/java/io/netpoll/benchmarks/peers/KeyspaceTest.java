package io.netpoll.benchmarks.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeyspaceTest {
    private final Keyspace keys = new Keyspace();
    private final ByteBufferReply reply = new ByteBufferReply();

    private String run(String... commands) {
        for (String command : commands) {
            keys.execute(RespParser.parse(ByteBuffer.wrap((command + "\r\n").getBytes(StandardCharsets.ISO_8859_1))), reply);
        }
        String out = StandardCharsets.ISO_8859_1.decode(reply.flip()).toString();
        reply.clear();
        return out;
    }

    @Test
    void stringsAndCounters() {
        assertEquals("+PONG\r\n", run("PING"));
        assertEquals("$-1\r\n", run("GET k"));
        assertEquals("+OK\r\n$1\r\nv\r\n", run("SET k v", "get k"));
        assertEquals(":1\r\n:2\r\n$1\r\n2\r\n", run("INCR n", "INCR n", "GET n"));
        assertEquals("-ERR value is not an integer or out of range\r\n", run("INCR k"));
    }

    @Test
    void listsPushAndPopAtTheHead() {
        assertEquals(":2\r\n:3\r\n$1\r\nc\r\n$1\r\nb\r\n", run("LPUSH l a b", "LPUSH l c", "LPOP l", "LPOP l"));
        assertEquals("$1\r\na\r\n$-1\r\n", run("LPOP l", "LPOP l"));
        assertEquals(":1\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", run("LPUSH m x", "GET m"));
    }

    @Test
    void unknownCommandIsAnErrorReply() {
        assertEquals("-ERR unknown command or wrong number of arguments for 'CONFIG'\r\n", run("CONFIG GET save"));
    }
}
