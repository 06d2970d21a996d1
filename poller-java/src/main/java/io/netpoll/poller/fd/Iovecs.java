package io.netpoll.poller.fd;

import com.sun.jna.Memory;

import java.nio.ByteBuffer;

/**
 * Vectored I/O over {@code ByteBuffer[]}: the vector entries for the buffers with bytes remaining
 * (in the socket layer's layout) and the bookkeeping after a partial transfer. Vectors need native
 * addresses, so the attempts use them only when every buffer is direct.
 */
final class Iovecs {
    private Iovecs() {}

    /** Writes up to {@code max} entries for {@code bufs} at the start of {@code m}; returns the count. */
    static int fill(SocketLayer layer, Memory m, ByteBuffer[] bufs, int max, NativeBuffers.AddressCache addresses) {
        // hot path: no allocation once the buffers have been seen
        int cnt = 0;
        for (ByteBuffer b : bufs) {
            if (!b.hasRemaining()) {
                continue;
            }
            if (cnt == max) {
                break;
            }
            layer.iovec(m, (long) cnt * SocketLayer.IOVEC_SIZE, addresses.addressOf(b) + b.position(), b.remaining());
            cnt++;
        }
        return cnt;
    }

    /** Moves the positions of {@code bufs} past {@code n} transferred bytes. */
    static void advance(ByteBuffer[] bufs, long n) {
        for (ByteBuffer b : bufs) {
            if (n <= 0) {
                return;
            }
            int step = (int) Math.min(n, b.remaining());
            b.position(b.position() + step);
            n -= step;
        }
    }

    static boolean allDirect(ByteBuffer[] bufs) {
        for (ByteBuffer b : bufs) {
            if (!b.isDirect()) {
                return false;
            }
        }
        return true;
    }

    static long remaining(ByteBuffer[] bufs) {
        long r = 0;
        for (ByteBuffer b : bufs) {
            r += b.remaining();
        }
        return r;
    }
}
