package io.netpoll.poller.fd;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.poller.sys.Sys;

import java.io.IOException;

/**
 * NetFD's socket options and shutdown (Go's sockopt_posix.go and FD.Shutdown). Options are named by
 * Linux's numbers on every OS and their values have Linux's layout; the socket layer translates.
 * Each call holds a reference ({@link NetFD#incref}) so the descriptor cannot be closed under it.
 */
final class SocketOptions {
    /** struct linger: int l_onoff, int l_linger (seconds). */
    private static final int LINGER_SIZE = 8;

    private SocketOptions() {}

    static void setInt(NetFD fd, int level, int name, int value) throws IOException {
        fd.incref();
        try (Memory v = new Memory(4)) {
            v.setInt(0, value);
            int r = fd.layer.setsockopt(fd.sysfd, level, name, Pointer.nativeValue(v), 4);
            if (r < 0) {
                throw fd.layer.exception("setsockopt", -r);
            }
        } finally {
            fd.decref();
        }
    }

    static int getInt(NetFD fd, int level, int name) throws IOException {
        fd.incref();
        try (Memory v = new Memory(8)) {
            v.setInt(4, 4);
            long addr = Pointer.nativeValue(v);
            int r = fd.layer.getsockopt(fd.sysfd, level, name, addr, addr + 4);
            if (r < 0) {
                throw fd.layer.exception("getsockopt", -r);
            }
            return v.getInt(0);
        } finally {
            fd.decref();
        }
    }

    /** {@code seconds < 0}: off; 0: close resets the connection. */
    static void setLinger(NetFD fd, int seconds) throws IOException {
        fd.incref();
        try (Memory v = new Memory(LINGER_SIZE)) {
            v.setInt(0, seconds >= 0 ? 1 : 0);
            v.setInt(4, Math.max(seconds, 0));
            int r = fd.layer.setsockopt(fd.sysfd, Sys.SOL_SOCKET, Sys.SO_LINGER, Pointer.nativeValue(v), LINGER_SIZE);
            if (r < 0) {
                throw fd.layer.exception("setsockopt", -r);
            }
        } finally {
            fd.decref();
        }
    }

    /** Seconds, or -1 when off. */
    static int getLinger(NetFD fd) throws IOException {
        fd.incref();
        try (Memory v = new Memory(LINGER_SIZE + 4)) {
            v.setInt(LINGER_SIZE, LINGER_SIZE);
            long addr = Pointer.nativeValue(v);
            int r = fd.layer.getsockopt(fd.sysfd, Sys.SOL_SOCKET, Sys.SO_LINGER, addr, addr + LINGER_SIZE);
            if (r < 0) {
                throw fd.layer.exception("getsockopt", -r);
            }
            return v.getInt(0) != 0 ? v.getInt(4) : -1;
        } finally {
            fd.decref();
        }
    }

    static void shutdown(NetFD fd, int how) throws IOException {
        fd.incref();
        try {
            int r = fd.layer.shutdown(fd.sysfd, how);
            if (r < 0) {
                throw fd.layer.exception("shutdown", -r);
            }
        } finally {
            fd.decref();
        }
    }
}
