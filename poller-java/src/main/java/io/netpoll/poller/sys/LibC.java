package io.netpoll.poller.sys;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * The POSIX C library calls netpoll-jvm makes, bound through JNA direct mapping. Every symbol here
 * exists in glibc, musl, macOS's libSystem and the BSD libcs, so the class binds on all of them;
 * Linux-only calls live in {@link LinuxLibC}, since one missing symbol makes {@code Native.register}
 * fail for the whole class. Windows has no such C library: nothing on the Windows path touches
 * this class (the Winsock socket layer binds ws2_32 instead).
 *
 * <p>Every argument is a primitive: pointers travel as {@code long} addresses of native memory the
 * caller owns (direct buffers or JNA {@code Memory}), so a call allocates nothing on the Java heap.
 * A call that fails returns -1; errno is then JNA's {@code Native.getLastError()}, read right after
 * the call by {@link JnaPosixCalls}, which is how the rest of the code reaches these calls (as
 * {@link PosixCalls}, whichever binding makes them). EAGAIN and EINTR are plain return codes here,
 * never exceptions.
 *
 * <p>The names and argument order are those of the C functions (see their man pages).
 */
public final class LibC {
    static {
        Native.register(LibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private LibC() {}

    // byte I/O
    public static native long read(int fd, long buf, long count);
    public static native long write(int fd, long buf, long count);
    public static native long readv(int fd, long iov, int iovcnt);
    public static native long writev(int fd, long iov, int iovcnt);
    public static native long send(int fd, long buf, long len, int flags);
    public static native long recv(int fd, long buf, long len, int flags);
    public static native long sendmsg(int fd, long msghdr, int flags);
    public static native long sendto(int fd, long buf, long len, int flags, long addr, int addrlen);
    public static native long recvfrom(int fd, long buf, long len, int flags, long addr, long addrlenPtr);

    // sockets
    public static native int socket(int domain, int type, int protocol);
    public static native int socketpair(int domain, int type, int protocol, long sv);
    public static native int bind(int fd, long addr, int addrlen);
    public static native int listen(int fd, int backlog);
    public static native int connect(int fd, long addr, int addrlen);
    public static native int getsockopt(int fd, int level, int name, long value, long lenPtr);
    public static native int setsockopt(int fd, int level, int name, long value, int len);
    public static native int getsockname(int fd, long addr, long lenPtr);
    public static native int getpeername(int fd, long addr, long lenPtr);
    public static native int shutdown(int fd, int how);
    public static native int close(int fd);

    /** Only on error paths: the text for an errno value. */
    public static native String strerror(int errnum);
}
