package io.netpoll.poller.fd;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.nio.ByteBuffer;

/**
 * Native addresses for {@link ByteBuffer}s, and the per-thread direct bounce buffer used when a
 * caller passes a heap buffer.
 *
 * <p>Looking up a direct buffer's address through JNA allocates a {@code Pointer}, so each I/O side
 * of a descriptor remembers the last few buffers it saw ({@link AddressCache}): a server loop that
 * reuses its buffers (one, or a few in a gathering write) pays the lookup once per buffer.
 */
final class NativeBuffers {
    static final int BOUNCE_SIZE = 64 * 1024;

    private static final ThreadLocal<Bounce> BOUNCE = ThreadLocal.withInitial(Bounce::new);

    private NativeBuffers() {}

    static long address(ByteBuffer direct) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
    }

    /** The calling thread's bounce buffer. */
    static Bounce bounce() {
        return BOUNCE.get();
    }

    /** A direct buffer owned by one thread, with its address. */
    static final class Bounce {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(BOUNCE_SIZE);
        final long address = address(buffer);
    }

    /** Remembers the address of the last direct buffer used on one side of a descriptor. */
    static final class AddressCache {
        /** Buffers remembered per side: enough for a header + body vector reused across calls. */
        private static final int ENTRIES = 8;
        private final ByteBuffer[] buffers = new ByteBuffer[ENTRIES];
        private final long[] addresses = new long[ENTRIES];
        private int next;

        long addressOf(ByteBuffer direct) {
            // hot path: no allocation once the buffer has been seen
            for (int i = 0; i < ENTRIES; i++) {
                if (buffers[i] == direct) {
                    return addresses[i];
                }
            }
            long a = address(direct);
            buffers[next] = direct;
            addresses[next] = a;
            next = (next + 1) % ENTRIES;
            return a;
        }

        void clear() {
            java.util.Arrays.fill(buffers, null);
        }
    }
}
