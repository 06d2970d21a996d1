package io.netpoll.poller.fd;

import io.netpoll.poller.sys.Errno;
import io.netpoll.poller.sys.LinuxCalls;
import io.netpoll.poller.sys.PosixCalls;
import io.netpoll.poller.sys.SockAddrFormat;
import io.netpoll.poller.sys.Sys;

import java.io.IOException;

/**
 * Linux's socket layer: the native numbers are the contract's numbers, so every call is the libc
 * call plus errno, most of them shared with the BSDs in {@link PosixSocketLayer}. Descriptors are born ready in one call each (Go's sysSocket and accept on
 * Linux): {@code socket}/{@code socketpair} with SOCK_NONBLOCK|SOCK_CLOEXEC, accept4, pipe2;
 * sends carry MSG_NOSIGNAL. The only layer that makes {@link LinuxCalls}.
 */
final class LinuxSocketLayer extends PosixSocketLayer {
    private static final int SOCK_FLAGS = Sys.SOCK_NONBLOCK | Sys.SOCK_CLOEXEC;
    private final LinuxCalls linux;

    LinuxSocketLayer(PosixCalls c, LinuxCalls linux) {
        super(c);
        this.linux = linux;
    }

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
        return ok(c.socket(family, sotype | SOCK_FLAGS, 0));
    }

    @Override
    public int accept(int fd, long addr, long addrlenPtr) {
        return ok(linux.accept4(fd, addr, addrlenPtr, SOCK_FLAGS));
    }

    @Override
    public int socketpair(int sotype, long sv) {
        return ok(c.socketpair(Sys.AF_UNIX, sotype | SOCK_FLAGS, 0, sv));
    }

    @Override
    public int pipe(long fds) {
        return ok(linux.pipe2(fds, Sys.O_NONBLOCK | Sys.O_CLOEXEC));
    }

    @Override
    public IOException exception(String op, int errno) {
        return Errno.exception(op, errno);
    }

    @Override
    int sendFlags() {
        return Sys.MSG_NOSIGNAL;
    }

    @Override
    public int linuxErrno(int errno) {
        return errno;
    }
}
