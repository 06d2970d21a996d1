package io.netpoll.poller.fd;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.nio.ByteBuffer;

/**
 * Native addresses for {@link ByteBuffer}s, and the per-thread direct bounce buffer used when a
 * caller passes a heap buffer.
 *
 * <p>Looking up a direct buffer's address through JNA allocates a {@code Pointer}, so each I/O side
 * of a descriptor remembers the last buffer it saw ({@link AddressCache}): a server loop that reuses
 * its buffer pays the lookup once.
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
        private ByteBuffer buffer;
        private long address;

        long addressOf(ByteBuffer direct) {
            if (direct != buffer) {
                address = address(direct);
                buffer = direct;
            }
            return address;
        }

        void clear() {
            buffer = null;
        }
    }
}
