package io.netpoll.testing;

import java.nio.ByteBuffer;

/**
 * A reproducible byte stream for end-to-end integrity checks: byte {@code i} of stream {@code seed}
 * is a hash of both, so a receiver can check every byte it gets against its position without
 * keeping a copy, and a lost, duplicated, reordered or altered byte shows up at the first offset
 * where the received bytes stop matching.
 *
 * <p>{@link #verifier()} checks bytes in arrival order: each one must be the next byte of the
 * stream, or it throws an {@link AssertionError} naming the offset. {@link #verified()} is then the
 * length of the intact prefix received.
 */
public final class SeededStream {
    private final long seed;

    public SeededStream(long seed) {
        this.seed = seed;
    }

    /** Byte {@code i} of the stream. */
    public byte at(long i) {
        // splitmix64's finaliser over (seed, i): neighbouring offsets and seeds give unrelated bytes.
        long z = seed * 0x9E3779B97F4A7C15L + i * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (byte) (z ^ (z >>> 31));
    }

    /** Bytes {@code [from, from + n)} of the stream. */
    public byte[] bytes(long from, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = at(from + i);
        }
        return b;
    }

    /** Fills the remaining space of {@code dst} with the stream from offset {@code from}; returns the bytes put. */
    public int fill(ByteBuffer dst, long from) {
        int n = dst.remaining();
        for (int i = 0; i < n; i++) {
            dst.put(at(from + i));
        }
        return n;
    }

    public Verifier verifier() {
        return new Verifier();
    }

    /** Checks received bytes, in order, against the stream. */
    public final class Verifier {
        private long verified;

        /** Bytes received intact so far: the next expected offset. */
        public long verified() {
            return verified;
        }

        public void accept(byte[] b, int off, int len) {
            for (int i = 0; i < len; i++) {
                check(b[off + i]);
            }
        }

        /** Checks the bytes in {@code [position, limit)} of {@code src} without moving its position. */
        public void accept(ByteBuffer src) {
            for (int i = src.position(); i < src.limit(); i++) {
                check(src.get(i));
            }
        }

        private void check(byte got) {
            byte want = at(verified);
            if (got != want) {
                throw new AssertionError(String.format(
                    "stream %d: byte %d is 0x%02x, expected 0x%02x (%d bytes before it were intact)",
                    seed, verified, got & 0xff, want & 0xff, verified));
            }
            verified++;
        }
    }
}
