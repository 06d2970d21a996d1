package io.netpoll.benchmarks.peers;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one Redis command from the bytes between a buffer's position and limit: either a RESP
 * array of bulk strings ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n}) or an inline command
 * ({@code PING\r\n}); redis-benchmark sends both. On a complete command the position moves past
 * it; on an incomplete one nothing moves and {@code null} is returned, so the caller reads more
 * and tries again.
 */
public final class RespParser {
    /** An inline command or header line longer than this is a protocol error, not a reason to buffer on. */
    static final int maxLineBytes = 64 * 1024;

    private RespParser() {}

    public static List<byte[]> parse(ByteBuffer in) {
        int start = in.position();
        if (start == in.limit()) {
            return null;
        }
        return in.get(start) == '*' ? parseArray(in, start) : parseInline(in, start);
    }

    private static List<byte[]> parseInline(ByteBuffer in, int start) {
        int newline = indexOfNewline(in, start);
        if (newline < 0) {
            return null;
        }
        int end = newline > start && in.get(newline - 1) == '\r' ? newline - 1 : newline;
        List<byte[]> words = new ArrayList<>(3);
        int word = -1;
        for (int i = start; i <= end; i++) {
            boolean space = i == end || in.get(i) == ' ';
            if (space && word >= 0) {
                words.add(copy(in, word, i));
                word = -1;
            } else if (!space && word < 0) {
                word = i;
            }
        }
        in.position(newline + 1);
        return words;
    }

    private static List<byte[]> parseArray(ByteBuffer in, int start) {
        int newline = indexOfNewline(in, start);
        if (newline < 0) {
            return null;
        }
        long count = parseLength(in, start + 1, newline);
        List<byte[]> args = new ArrayList<>((int) count);
        int at = newline + 1;
        for (long i = 0; i < count; i++) {
            if (at >= in.limit()) {
                return null;
            }
            if (in.get(at) != '$') {
                throw new IllegalStateException("protocol error: expected '$', got '" + (char) in.get(at) + "'");
            }
            int headerEnd = indexOfNewline(in, at);
            if (headerEnd < 0) {
                return null;
            }
            long length = parseLength(in, at + 1, headerEnd);
            int dataStart = headerEnd + 1;
            if ((long) in.limit() - dataStart < length + 2) {
                return null;
            }
            args.add(copy(in, dataStart, dataStart + (int) length));
            at = dataStart + (int) length + 2;
        }
        in.position(at);
        return args;
    }

    private static int indexOfNewline(ByteBuffer in, int from) {
        int last = Math.min(in.limit(), from + maxLineBytes);
        for (int i = from; i < last; i++) {
            if (in.get(i) == '\n') {
                return i;
            }
        }
        if (last - from == maxLineBytes) {
            throw new IllegalStateException("protocol error: line longer than " + maxLineBytes + " bytes");
        }
        return -1;
    }

    /** Parses the decimal between {@code from} and the CRLF ending at {@code newline}. */
    private static long parseLength(ByteBuffer in, int from, int newline) {
        int end = in.get(newline - 1) == '\r' ? newline - 1 : newline;
        if (end == from || end - from > 10) {
            throw new IllegalStateException("protocol error: bad length");
        }
        long n = 0;
        for (int i = from; i < end; i++) {
            byte b = in.get(i);
            if (b < '0' || b > '9') {
                throw new IllegalStateException("protocol error: bad length "
                        + StandardCharsets.ISO_8859_1.decode(in.duplicate().position(from).limit(end)));
            }
            n = n * 10 + (b - '0');
        }
        if (n > Integer.MAX_VALUE - 2) {
            throw new IllegalStateException("protocol error: length " + n);
        }
        return n;
    }

    private static byte[] copy(ByteBuffer in, int from, int to) {
        byte[] out = new byte[to - from];
        in.get(from, out);
        return out;
    }
}
