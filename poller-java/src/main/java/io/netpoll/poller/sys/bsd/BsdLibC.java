package io.netpoll.poller.sys.bsd;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * {@link BsdCalls} from the C library, through JNA direct mapping, except for two:
 * <ul>
 *   <li>fcntl(2) is variadic. On Apple arm64 variadic arguments travel on the stack, not in
 *       registers, so a direct (fixed-argument) binding would pass garbage; it goes through JNA's
 *       interface mapping, which calls it as variadic. That allocates an argument array, which is
 *       acceptable because fcntl runs once per socket (creation, accept), never per read or write.</li>
 *   <li>accept4 is bound on first use only: macOS's libc has no such symbol, and a direct-mapped
 *       class fails to bind if any of its symbols is missing.</li>
 * </ul>
 * Only the symbols common to every POSIX libc are bound here, so this class also loads on Linux,
 * where the tests run the BSD sequences against glibc.
 */
public final class BsdLibC implements BsdCalls {
    private interface Variadic extends Library {
        Variadic C = Native.load(Platform.C_LIBRARY_NAME, Variadic.class);

        int fcntl(int fd, int cmd, Object... args);
    }

    private static final class Accept4 {
        static {
            Native.register(Accept4.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        static native int accept4(int fd, long addr, long addrlenPtr, int flags);
    }

    public static final BsdLibC INSTANCE = new BsdLibC();

    private BsdLibC() {}

    @Override
    public int socket(int domain, int type, int protocol) {
        return Direct.socket(domain, type, protocol);
    }

    @Override
    public int accept(int fd, long addr, long addrlenPtr) {
        return Direct.accept(fd, addr, addrlenPtr);
    }

    @Override
    public int accept4(int fd, long addr, long addrlenPtr, int flags) {
        return Accept4.accept4(fd, addr, addrlenPtr, flags);
    }

    @Override
    public int socketpair(int domain, int type, int protocol, long sv) {
        return Direct.socketpair(domain, type, protocol, sv);
    }

    @Override
    public int pipe(long fds) {
        return Direct.pipe(fds);
    }

    @Override
    public int fcntl(int fd, int cmd, int arg) {
        return Variadic.C.fcntl(fd, cmd, arg);
    }

    @Override
    public int setsockopt(int fd, int level, int name, long value, int len) {
        return Direct.setsockopt(fd, level, name, value, len);
    }

    @Override
    public int close(int fd) {
        return Direct.close(fd);
    }

    @Override
    public int errno() {
        return Native.getLastError();
    }

    @Override
    public String strerror(int errno) {
        String s = Direct.strerror(errno);
        return s == null ? "errno " + errno : s;
    }

    private static final class Direct {
        static {
            Native.register(Direct.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        static native int socket(int domain, int type, int protocol);

        static native int accept(int fd, long addr, long addrlenPtr);

        static native int socketpair(int domain, int type, int protocol, long sv);

        static native int pipe(long fds);

        static native int setsockopt(int fd, int level, int name, long value, int len);

        static native int close(int fd);

        static native String strerror(int errnum);
    }
}
