package io.netpoll.poller;

import com.sun.jna.Native;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.poller.sys.Errno;
import io.netpoll.poller.sys.LibC;
import io.netpoll.poller.sys.Sys;

/** Raw kernel objects for protocol tests: socketpairs as plain fds, single-byte writes and reads. */
public final class TestSockets {
    private TestSockets() {}

    /** A non-blocking AF_UNIX stream socketpair as two raw fds. */
    public static int[] socketpair() {
        try (Memory sv = new Memory(8)) {
            if (LibC.socketpair(Sys.AF_UNIX, Sys.SOCK_STREAM | Sys.SOCK_NONBLOCK | Sys.SOCK_CLOEXEC, 0, Pointer.nativeValue(sv)) < 0) {
                throw new IllegalStateException("socketpair: " + Errno.text(Native.getLastError()));
            }
            return new int[] {sv.getInt(0), sv.getInt(4)};
        }
    }

    public static void writeByte(int fd, int b) {
        try (Memory m = new Memory(1)) {
            m.setByte(0, (byte) b);
            if (LibC.write(fd, Pointer.nativeValue(m), 1) != 1) {
                throw new IllegalStateException("write: " + Errno.text(Native.getLastError()));
            }
        }
    }

    /** Reads one byte; -1 on EAGAIN. */
    public static int readByte(int fd) {
        try (Memory m = new Memory(1)) {
            long n = LibC.read(fd, Pointer.nativeValue(m), 1);
            return n == 1 ? m.getByte(0) & 0xff : -1;
        }
    }
}
