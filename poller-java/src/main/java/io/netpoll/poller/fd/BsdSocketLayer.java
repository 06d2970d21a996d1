package io.netpoll.poller.fd;

import com.sun.jna.Pointer;
import io.netpoll.poller.sys.Errno;
import io.netpoll.poller.sys.PosixCalls;
import io.netpoll.poller.sys.SockAddrFormat;
import io.netpoll.poller.sys.Sys;
import io.netpoll.poller.sys.bsd.BsdCalls;
import io.netpoll.poller.sys.bsd.BsdErrno;
import io.netpoll.poller.sys.bsd.BsdSockets;
import io.netpoll.poller.sys.bsd.BsdSys;

import java.io.IOException;

/**
 * The socket layer of macOS and FreeBSD, from one constant table ({@link BsdSys}).
 * <ul>
 *   <li>Descriptors come from {@link BsdSockets}: accept4 and SOCK_NONBLOCK|SOCK_CLOEXEC where the
 *       OS has them (FreeBSD), otherwise accept/socket/socketpair/pipe then fcntl, and SO_NOSIGPIPE
 *       on every socket where there is no MSG_NOSIGNAL (macOS; Go's darwin sysSocket and accept).</li>
 *   <li>Every other call is the POSIX one from {@link PosixCalls} ({@link PosixSocketLayer}); sends carry
 *       {@link BsdSys#sendFlags()}.</li>
 *   <li>Translation at the edge: errno by {@link BsdErrno#toLinux} (also the value of SO_ERROR),
 *       AF_INET6 and the option numbers by the table, sockaddrs with {@code sa_len} by
 *       {@link BsdSys#sockaddr}.</li>
 * </ul>
 * Runs on Linux too with a table carrying Linux's numbers, which is how its descriptor sequences
 * and I/O are tested here; it has not run on a BSD kernel.
 */
final class BsdSocketLayer extends PosixSocketLayer {
    private final BsdSys sys;
    private final BsdCalls calls;
    private final BsdSockets sockets;
    private final OptionNumbers options;

    BsdSocketLayer(PosixCalls c, BsdCalls calls, BsdSys sys) {
        super(c);
        this.sys = sys;
        this.calls = calls;
        this.sockets = new BsdSockets(calls, sys);
        this.options = new OptionNumbers(sys.solSocket, sys.soReuseaddr, sys.soError, sys.soSndbuf, sys.soRcvbuf,
                sys.soKeepalive, sys.soLinger, sys.soReuseport, sys.ipprotoTcp, sys.tcpNodelay, sys.ipprotoIpv6, sys.ipv6V6only);
    }

    @Override
    public String name() {
        return sys.name;
    }

    @Override
    public SockAddrFormat sockaddr() {
        return sys.sockaddr;
    }

    @Override
    public int nativeFamily(int family) {
        return family == Sys.AF_INET6 ? sys.afInet6 : family;
    }

    @Override
    public int socket(int family, int sotype) {
        return linux(sockets.socket(nativeFamily(family), sotype));
    }

    @Override
    public int accept(int fd, long addr, long addrlenPtr) {
        return linux(sockets.accept(fd, addr, addrlenPtr));
    }

    @Override
    public int socketpair(int sotype, long sv) {
        return linux(sockets.socketpair(sotype, sv));
    }

    @Override
    public int pipe(long fds) {
        return linux(sockets.pipe(fds));
    }

    @Override
    public int setsockopt(int fd, int level, int name, long value, int len) {
        long opt = options.of(level, name);
        if (opt == OptionNumbers.NONE) {
            return -Errno.ENOPROTOOPT;
        }
        return super.setsockopt(fd, OptionNumbers.level(opt), OptionNumbers.name(opt), value, len);
    }

    @Override
    public int getsockopt(int fd, int level, int name, long value, long lenPtr) {
        long opt = options.of(level, name);
        if (opt == OptionNumbers.NONE) {
            return -Errno.ENOPROTOOPT;
        }
        int r = super.getsockopt(fd, OptionNumbers.level(opt), OptionNumbers.name(opt), value, lenPtr);
        if (r == 0 && OptionNumbers.isSoError(level, name)) {
            Pointer v = new Pointer(value);
            int err = v.getInt(0);
            v.setInt(0, err == 0 ? 0 : BsdErrno.toLinux(sys, err));
        }
        return r;
    }

    @Override
    public IOException exception(String op, int errno) {
        int bsd = BsdErrno.fromLinux(sys, errno);
        return BsdErrno.exception(sys, op, bsd, calls.strerror(bsd));
    }

    @Override
    int sendFlags() {
        return sys.sendFlags();
    }

    @Override
    public int linuxErrno(int errno) {
        return BsdErrno.toLinux(sys, errno);
    }

    /** {@link BsdSockets}' {@code -bsdErrno} in Linux numbers. */
    private int linux(int r) {
        return r >= 0 ? r : -linuxErrno(-r);
    }
}
