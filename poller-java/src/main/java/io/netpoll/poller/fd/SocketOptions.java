package io.netpoll.poller.fd;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.poller.sys.Sys;

import java.io.IOException;

/**
 * NetFD's socket options and shutdown (Go's sockopt_posix.go and FD.Shutdown). Options are named by
 * Linux's numbers on every OS and their values have Linux's layout; the socket layer translates.
 * Each takes the socket layer and the OS descriptor; the caller holds a reference
 * ({@link NetFD#incref}) so the descriptor cannot be closed under it.
 */
final class SocketOptions {
    /** struct linger: int l_onoff, int l_linger (seconds). */
    private static final int LINGER_SIZE = 8;

    private SocketOptions() {}

    static void setInt(SocketLayer layer, int sysfd, int level, int name, int value) throws IOException {
        try (Memory v = new Memory(4)) {
            v.setInt(0, value);
            int r = layer.setsockopt(sysfd, level, name, Pointer.nativeValue(v), 4);
            if (r < 0) {
                throw layer.exception("setsockopt", -r);
            }
        }
    }

    static int getInt(SocketLayer layer, int sysfd, int level, int name) throws IOException {
        try (Memory v = new Memory(8)) {
            v.setInt(4, 4);
            long addr = Pointer.nativeValue(v);
            int r = layer.getsockopt(sysfd, level, name, addr, addr + 4);
            if (r < 0) {
                throw layer.exception("getsockopt", -r);
            }
            return v.getInt(0);
        }
    }

    /** {@code seconds < 0}: off; 0: close resets the connection. */
    static void setLinger(SocketLayer layer, int sysfd, int seconds) throws IOException {
        try (Memory v = new Memory(LINGER_SIZE)) {
            v.setInt(0, seconds >= 0 ? 1 : 0);
            v.setInt(4, Math.max(seconds, 0));
            int r = layer.setsockopt(sysfd, Sys.SOL_SOCKET, Sys.SO_LINGER, Pointer.nativeValue(v), LINGER_SIZE);
            if (r < 0) {
                throw layer.exception("setsockopt", -r);
            }
        }
    }

    /** Seconds, or -1 when off. */
    static int getLinger(SocketLayer layer, int sysfd) throws IOException {
        try (Memory v = new Memory(LINGER_SIZE + 4)) {
            v.setInt(LINGER_SIZE, LINGER_SIZE);
            long addr = Pointer.nativeValue(v);
            int r = layer.getsockopt(sysfd, Sys.SOL_SOCKET, Sys.SO_LINGER, addr, addr + LINGER_SIZE);
            if (r < 0) {
                throw layer.exception("getsockopt", -r);
            }
            return v.getInt(0) != 0 ? v.getInt(4) : -1;
        }
    }

    static void shutdown(SocketLayer layer, int sysfd, int how) throws IOException {
        int r = layer.shutdown(sysfd, how);
        if (r < 0) {
            throw layer.exception("shutdown", -r);
        }
    }
}
