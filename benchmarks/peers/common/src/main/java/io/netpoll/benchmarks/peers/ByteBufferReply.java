package io.netpoll.benchmarks.peers;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Accumulates encoded replies in a heap buffer that grows as needed; the peer writes
 * {@link #flip()}'s result to its socket and then {@link #clear()}s it.
 */
public final class ByteBufferReply implements RespReply {
    private static final byte[] crlf = {'\r', '\n'};
    private static final byte[] nullBulk = "$-1\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private ByteBuffer out = ByteBuffer.allocate(4096);

    @Override
    public void simple(String text) {
        line('+', text);
    }

    @Override
    public void error(String text) {
        line('-', text);
    }

    @Override
    public void integer(long value) {
        line(':', Long.toString(value));
    }

    @Override
    public void bulk(byte[] value) {
        if (value == null) {
            put(nullBulk);
            return;
        }
        line('$', Integer.toString(value.length));
        put(value);
        put(crlf);
    }

    public boolean isEmpty() {
        return out.position() == 0;
    }

    /** The replies encoded since the last {@link #clear()}, ready to be written. */
    public ByteBuffer flip() {
        return out.flip();
    }

    public void clear() {
        out.clear();
    }

    private void line(char type, String text) {
        ensure(text.length() + 3);
        out.put((byte) type);
        for (int i = 0; i < text.length(); i++) {
            out.put((byte) text.charAt(i));
        }
        out.put(crlf);
    }

    private void put(byte[] bytes) {
        ensure(bytes.length);
        out.put(bytes);
    }

    private void ensure(int bytes) {
        if (out.remaining() < bytes) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(out.capacity() * 2, out.position() + bytes));
            out = bigger.put(out.flip());
        }
    }
}
