package io.netpoll.poller;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * Level readiness of a real Linux descriptor, read with poll(2) and FIONREAD. Test doubles of other
 * kernels (kqueue, AFD) use it to see real sockets, so the PollDesc conformance suite can drive
 * them with the same socketpairs it drives epoll with.
 */
public final class RealReadiness {
    public static final int POLLIN = 0x1;
    public static final int POLLOUT = 0x4;
    public static final int POLLERR = 0x8;
    public static final int POLLHUP = 0x10;
    public static final int POLLNVAL = 0x20;
    public static final int POLLRDHUP = 0x2000;
    private static final long FIONREAD = 0x541B;

    static {
        Native.register(RealReadiness.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private RealReadiness() {}

    private static native int poll(long fds, long nfds, int timeoutMillis);

    private static native int ioctl(int fd, long request, long arg);

    /** poll(2) revents for {@code fd} right now (POLLIN|POLLOUT|POLLRDHUP asked). */
    public static int revents(int fd) {
        try (Memory m = new Memory(8)) {
            m.setInt(0, fd);
            m.setShort(4, (short) (POLLIN | POLLOUT | POLLRDHUP));
            m.setShort(6, (short) 0);
            if (poll(Pointer.nativeValue(m), 1, 0) < 0) {
                return 0;
            }
            return Short.toUnsignedInt(m.getShort(6));
        }
    }

    /** Bytes queued for reading, or 0 if unknown. */
    public static int bytesReadable(int fd) {
        try (Memory m = new Memory(4)) {
            m.setInt(0, 0);
            return ioctl(fd, FIONREAD, Pointer.nativeValue(m)) < 0 ? 0 : m.getInt(0);
        }
    }
}
