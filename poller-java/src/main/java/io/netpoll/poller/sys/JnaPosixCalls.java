package io.netpoll.poller.sys;

import com.sun.jna.Native;

/**
 * {@link PosixCalls} through JNA: each call is the {@link LibC} direct-mapped native, and on failure
 * the errno JNA saved for this thread ({@code Native.getLastError}). The layer for JDK 17 to 21, and
 * on later JDKs when asked for ({@code -Dnetpoll.native=jna}) or when native access is not enabled.
 */
final class JnaPosixCalls implements PosixCalls {
    static long ok(long r) {
        return r >= 0 ? r : -Native.getLastError();
    }

    static int ok(int r) {
        return r >= 0 ? r : -Native.getLastError();
    }

    @Override
    public long read(int fd, long buf, long count) {
        return ok(LibC.read(fd, buf, count));
    }

    @Override
    public long write(int fd, long buf, long count) {
        return ok(LibC.write(fd, buf, count));
    }

    @Override
    public long readv(int fd, long iov, int iovcnt) {
        return ok(LibC.readv(fd, iov, iovcnt));
    }

    @Override
    public long writev(int fd, long iov, int iovcnt) {
        return ok(LibC.writev(fd, iov, iovcnt));
    }

    @Override
    public long send(int fd, long buf, long len, int flags) {
        return ok(LibC.send(fd, buf, len, flags));
    }

    @Override
    public long recv(int fd, long buf, long len, int flags) {
        return ok(LibC.recv(fd, buf, len, flags));
    }

    @Override
    public long sendmsg(int fd, long msghdr, int flags) {
        return ok(LibC.sendmsg(fd, msghdr, flags));
    }

    @Override
    public long sendto(int fd, long buf, long len, int flags, long addr, int addrlen) {
        return ok(LibC.sendto(fd, buf, len, flags, addr, addrlen));
    }

    @Override
    public long recvfrom(int fd, long buf, long len, int flags, long addr, long addrlenPtr) {
        return ok(LibC.recvfrom(fd, buf, len, flags, addr, addrlenPtr));
    }

    @Override
    public int socket(int domain, int type, int protocol) {
        return ok(LibC.socket(domain, type, protocol));
    }

    @Override
    public int socketpair(int domain, int type, int protocol, long sv) {
        return ok(LibC.socketpair(domain, type, protocol, sv));
    }

    @Override
    public int bind(int fd, long addr, int addrlen) {
        return ok(LibC.bind(fd, addr, addrlen));
    }

    @Override
    public int listen(int fd, int backlog) {
        return ok(LibC.listen(fd, backlog));
    }

    @Override
    public int connect(int fd, long addr, int addrlen) {
        return ok(LibC.connect(fd, addr, addrlen));
    }

    @Override
    public int getsockopt(int fd, int level, int name, long value, long lenPtr) {
        return ok(LibC.getsockopt(fd, level, name, value, lenPtr));
    }

    @Override
    public int setsockopt(int fd, int level, int name, long value, int len) {
        return ok(LibC.setsockopt(fd, level, name, value, len));
    }

    @Override
    public int getsockname(int fd, long addr, long lenPtr) {
        return ok(LibC.getsockname(fd, addr, lenPtr));
    }

    @Override
    public int getpeername(int fd, long addr, long lenPtr) {
        return ok(LibC.getpeername(fd, addr, lenPtr));
    }

    @Override
    public int shutdown(int fd, int how) {
        return ok(LibC.shutdown(fd, how));
    }

    @Override
    public int close(int fd) {
        return ok(LibC.close(fd));
    }

    @Override
    public String strerror(int errnum) {
        return LibC.strerror(errnum);
    }
}
