package io.netpoll.benchmarks.peers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RespParserTest {
    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String[] words(List<byte[]> args) {
        return args.stream().map(a -> new String(a, StandardCharsets.ISO_8859_1)).toArray(String[]::new);
    }

    @Test
    void arrayOfBulkStringsIsOneCommandAndMovesPastIt() {
        ByteBuffer in = bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n*1\r\n");
        assertArrayEquals(new String[] {"SET", "k", "hello"}, words(RespParser.parse(in)));
        assertEquals("*1\r\n", StandardCharsets.ISO_8859_1.decode(in).toString());
    }

    @Test
    void inlineCommandIsSplitOnSpaces() {
        ByteBuffer in = bytes("PING  hi\r\n");
        assertArrayEquals(new String[] {"PING", "hi"}, words(RespParser.parse(in)));
        assertEquals(0, in.remaining());
    }

    @Test
    void everyTruncationOfAPipelineLeavesThePositionAlone() {
        String pipeline = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n";
        for (int cut = 0; cut < 20; cut++) {
            ByteBuffer in = bytes(pipeline.substring(0, cut));
            assertNull(RespParser.parse(in), "cut at " + cut);
            assertEquals(0, in.position());
        }
        ByteBuffer in = bytes(pipeline);
        assertArrayEquals(new String[] {"GET", "k"}, words(RespParser.parse(in)));
        assertArrayEquals(new String[] {"PING"}, words(RespParser.parse(in)));
        assertNull(RespParser.parse(in));
    }

    @Test
    void bulkWithoutDollarIsAProtocolError() {
        assertThrows(IllegalStateException.class, () -> RespParser.parse(bytes("*1\r\n:3\r\n")));
    }
}
