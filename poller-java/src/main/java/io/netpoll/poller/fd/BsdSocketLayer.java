package io.netpoll.poller.fd;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.netpoll.poller.sys.Errno;
import io.netpoll.poller.sys.LibC;
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
 *   <li>Every other call is the POSIX one from {@link LibC}; sends carry {@link BsdSys#sendFlags()}.</li>
 *   <li>Translation at the edge: errno by {@link BsdErrno#toLinux} (also the value of SO_ERROR),
 *       AF_INET6 and the option numbers by the table, sockaddrs with {@code sa_len} by
 *       {@link BsdSys#sockaddr}.</li>
 * </ul>
 * Runs on Linux too with a table carrying Linux's numbers, which is how its descriptor sequences
 * and I/O are tested here; it has not run on a BSD kernel.
 */
final class BsdSocketLayer implements SocketLayer {
    private final BsdSys sys;
    private final BsdCalls calls;
    private final BsdSockets sockets;
    private final OptionNumbers options;

    BsdSocketLayer(BsdCalls calls, BsdSys sys) {
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
        long opt = options.of(level, name);
        if (opt == OptionNumbers.NONE) {
            return -Errno.ENOPROTOOPT;
        }
        return ok(LibC.setsockopt(fd, OptionNumbers.level(opt), OptionNumbers.name(opt), value, len));
    }

    @Override
    public int getsockopt(int fd, int level, int name, long value, long lenPtr) {
        long opt = options.of(level, name);
        if (opt == OptionNumbers.NONE) {
            return -Errno.ENOPROTOOPT;
        }
        int r = ok(LibC.getsockopt(fd, OptionNumbers.level(opt), OptionNumbers.name(opt), value, lenPtr));
        if (r == 0 && OptionNumbers.isSoError(level, name)) {
            Pointer v = new Pointer(value);
            int err = v.getInt(0);
            v.setInt(0, err == 0 ? 0 : BsdErrno.toLinux(sys, err));
        }
        return r;
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
        return ok(LibC.send(fd, buf, len, sys.sendFlags()));
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
        return ok(LibC.sendmsg(fd, Msghdr.put(vec, scratchOffset, cnt), sys.sendFlags()));
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
        return ok(LibC.sendto(fd, buf, len, sys.sendFlags(), addr, addrlen));
    }

    @Override
    public IOException exception(String op, int errno) {
        int bsd = BsdErrno.fromLinux(sys, errno);
        return BsdErrno.exception(sys, op, bsd, calls.strerror(bsd));
    }

    /** {@link BsdSockets}' {@code -bsdErrno} in Linux numbers. */
    private int linux(int r) {
        return r >= 0 ? r : -BsdErrno.toLinux(sys, -r);
    }

    private int ok(int r) {
        return r >= 0 ? r : -BsdErrno.toLinux(sys, Native.getLastError());
    }

    private long ok(long r) {
        return r >= 0 ? r : -BsdErrno.toLinux(sys, Native.getLastError());
    }
}
