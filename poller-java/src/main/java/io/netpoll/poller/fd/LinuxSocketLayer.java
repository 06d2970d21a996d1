package io.netpoll.poller.fd;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.netpoll.poller.sys.Errno;
import io.netpoll.poller.sys.LibC;
import io.netpoll.poller.sys.LinuxLibC;
import io.netpoll.poller.sys.SockAddrFormat;
import io.netpoll.poller.sys.Sys;

import java.io.IOException;

/**
 * Linux's socket layer: the native numbers are the contract's numbers, so every call is the libc
 * call plus errno. Descriptors are born ready in one call each (Go's sysSocket and accept on
 * Linux): {@code socket}/{@code socketpair} with SOCK_NONBLOCK|SOCK_CLOEXEC, accept4, pipe2;
 * sends carry MSG_NOSIGNAL. The only layer that touches {@link LinuxLibC}.
 */
final class LinuxSocketLayer implements SocketLayer {
    private static final int SOCK_FLAGS = Sys.SOCK_NONBLOCK | Sys.SOCK_CLOEXEC;

    @Override
    public String name() {
        return "linux";
    }

    @Override
    public SockAddrFormat sockaddr() {
        return SockAddrFormat.LINUX;
    }

    @Override
    public int socket(int family, int sotype) {
        return ok(LibC.socket(family, sotype | SOCK_FLAGS, 0));
    }

    @Override
    public int accept(int fd, long addr, long addrlenPtr) {
        return ok(LinuxLibC.accept4(fd, addr, addrlenPtr, SOCK_FLAGS));
    }

    @Override
    public int socketpair(int sotype, long sv) {
        return ok(LibC.socketpair(Sys.AF_UNIX, sotype | SOCK_FLAGS, 0, sv));
    }

    @Override
    public int pipe(long fds) {
        return ok(LinuxLibC.pipe2(fds, Sys.O_NONBLOCK | Sys.O_CLOEXEC));
    }

    @Override
    public int bind(int fd, long addr, int len) {
        return ok(LibC.bind(fd, addr, len));
    }

    @Override
    public int listen(int fd, int backlog) {
        return ok(LibC.listen(fd, backlog));
    }

    @Override
    public int connect(int fd, long addr, int len) {
        return ok(LibC.connect(fd, addr, len));
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
    public int setsockopt(int fd, int level, int name, long value, int len) {
        return ok(LibC.setsockopt(fd, level, name, value, len));
    }

    @Override
    public int getsockopt(int fd, int level, int name, long value, long lenPtr) {
        return ok(LibC.getsockopt(fd, level, name, value, lenPtr));
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
    public long read(int fd, long buf, long len) {
        // hot path: no allocation
        return ok(LibC.read(fd, buf, len));
    }

    @Override
    public long send(int fd, long buf, long len) {
        // hot path: no allocation
        return ok(LibC.send(fd, buf, len, Sys.MSG_NOSIGNAL));
    }

    @Override
    public long write(int fd, long buf, long len) {
        // hot path: no allocation
        return ok(LibC.write(fd, buf, len));
    }

    @Override
    public long readv(int fd, Memory vec, int cnt, long scratchOffset) {
        return ok(LibC.readv(fd, Pointer.nativeValue(vec), cnt));
    }

    @Override
    public long sendv(int fd, Memory vec, int cnt, long scratchOffset) {
        return ok(LibC.sendmsg(fd, Msghdr.put(vec, scratchOffset, cnt), Sys.MSG_NOSIGNAL));
    }

    @Override
    public long writev(int fd, Memory vec, int cnt, long scratchOffset) {
        return ok(LibC.writev(fd, Pointer.nativeValue(vec), cnt));
    }

    @Override
    public long recvfrom(int fd, long buf, long len, long addr, long addrlenPtr) {
        return ok(LibC.recvfrom(fd, buf, len, 0, addr, addrlenPtr));
    }

    @Override
    public long sendto(int fd, long buf, long len, long addr, int addrlen) {
        return ok(LibC.sendto(fd, buf, len, Sys.MSG_NOSIGNAL, addr, addrlen));
    }

    @Override
    public IOException exception(String op, int errno) {
        return Errno.exception(op, errno);
    }

    private static int ok(int r) {
        return r >= 0 ? r : -Native.getLastError();
    }

    private static long ok(long r) {
        return r >= 0 ? r : -Native.getLastError();
    }
}
