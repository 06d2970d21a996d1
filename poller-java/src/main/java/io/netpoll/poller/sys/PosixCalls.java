package io.netpoll.poller.sys;

/**
 * The POSIX C library calls netpoll-jvm makes, with errno folded into the result: each returns its
 * non-negative result, or {@code -errno} when the call failed. A caller never needs a second native
 * call to learn why, and the value cannot be clobbered by whatever the JVM does between two calls.
 *
 * <p>Two bindings implement it, chosen once per process by {@link NativeLayer}: {@link JnaPosixCalls}
 * (JNA direct mapping, any JDK) and, on JDK 22 and later, a {@code java.lang.foreign} one whose
 * downcalls capture errno in the linker. Pointers are {@code long} addresses of native memory the
 * caller owns; no call allocates on the Java heap. Names and argument order are the C functions'
 * (see their man pages).
 */
public interface PosixCalls {
    // byte I/O
    long read(int fd, long buf, long count);

    long write(int fd, long buf, long count);

    long readv(int fd, long iov, int iovcnt);

    long writev(int fd, long iov, int iovcnt);

    long send(int fd, long buf, long len, int flags);

    long recv(int fd, long buf, long len, int flags);

    long sendmsg(int fd, long msghdr, int flags);

    long sendto(int fd, long buf, long len, int flags, long addr, int addrlen);

    long recvfrom(int fd, long buf, long len, int flags, long addr, long addrlenPtr);

    // sockets
    int socket(int domain, int type, int protocol);

    int socketpair(int domain, int type, int protocol, long sv);

    int bind(int fd, long addr, int addrlen);

    int listen(int fd, int backlog);

    int connect(int fd, long addr, int addrlen);

    int getsockopt(int fd, int level, int name, long value, long lenPtr);

    int setsockopt(int fd, int level, int name, long value, int len);

    int getsockname(int fd, long addr, long lenPtr);

    int getpeername(int fd, long addr, long lenPtr);

    int shutdown(int fd, int how);

    int close(int fd);

    /** Only on error paths: the C library's text for an errno value, or null. */
    String strerror(int errnum);
}
