package io.netpoll.poller.fd;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.poller.sys.PosixCalls;
import io.netpoll.poller.sys.Sys;

/**
 * What the POSIX layers ({@link LinuxSocketLayer}, {@link BsdSocketLayer}) share: every call that
 * is the same {@link PosixCalls} call on Linux, macOS and FreeBSD, through the process's binding
 * (JNA or FFM, {@link io.netpoll.poller.sys.NativeLayer}). A subclass says how descriptors are
 * made, which flag keeps sends from raising SIGPIPE ({@link #sendFlags}) and how its errno becomes
 * Linux's ({@link #linuxErrno}); socket options go to the kernel as given unless it translates them.
 * Names nothing Linux-only, so the BSD layer may extend it (see LinuxOnlyIsolationTest).
 */
abstract class PosixSocketLayer implements SocketLayer {
    final PosixCalls c;

    PosixSocketLayer(PosixCalls c) {
        this.c = c;
    }

    /** The flags every send, sendmsg and sendto carries so that a closed peer gives EPIPE, not SIGPIPE. */
    abstract int sendFlags();

    /** The Linux errno meaning what this OS's {@code errno} means. */
    @Override
    public abstract int linuxErrno(int errno);

    @Override
    public int bind(int fd, long addr, int len) {
        return ok(c.bind(fd, addr, len));
    }

    @Override
    public int listen(int fd, int backlog) {
        return ok(c.listen(fd, backlog));
    }

    @Override
    public int connect(int fd, long addr, int len) {
        return ok(c.connect(fd, addr, len));
    }

    @Override
    public int getsockname(int fd, long addr, long lenPtr) {
        return ok(c.getsockname(fd, addr, lenPtr));
    }

    @Override
    public int getpeername(int fd, long addr, long lenPtr) {
        return ok(c.getpeername(fd, addr, lenPtr));
    }

    @Override
    public int setsockopt(int fd, int level, int name, long value, int len) {
        return ok(c.setsockopt(fd, level, name, value, len));
    }

    @Override
    public int getsockopt(int fd, int level, int name, long value, long lenPtr) {
        return ok(c.getsockopt(fd, level, name, value, lenPtr));
    }

    @Override
    public int shutdown(int fd, int how) {
        return ok(c.shutdown(fd, how));
    }

    @Override
    public int close(int fd) {
        return ok(c.close(fd));
    }

    @Override
    public long read(int fd, long buf, long len) {
        // hot path: no allocation
        return ok(c.read(fd, buf, len));
    }

    @Override
    public long peek(int fd, long buf, long len) {
        // hot path: no allocation
        return ok(c.recv(fd, buf, len, Sys.MSG_PEEK));
    }

    @Override
    public long send(int fd, long buf, long len) {
        // hot path: no allocation
        return ok(c.send(fd, buf, len, sendFlags()));
    }

    @Override
    public long write(int fd, long buf, long len) {
        // hot path: no allocation
        return ok(c.write(fd, buf, len));
    }

    @Override
    public long readv(int fd, Memory vec, int cnt, long scratchOffset) {
        return ok(c.readv(fd, Pointer.nativeValue(vec), cnt));
    }

    @Override
    public long sendv(int fd, Memory vec, int cnt, long scratchOffset) {
        return ok(c.sendmsg(fd, Msghdr.put(vec, scratchOffset, cnt), sendFlags()));
    }

    @Override
    public long writev(int fd, Memory vec, int cnt, long scratchOffset) {
        return ok(c.writev(fd, Pointer.nativeValue(vec), cnt));
    }

    @Override
    public long recvfrom(int fd, long buf, long len, long addr, long addrlenPtr) {
        return ok(c.recvfrom(fd, buf, len, 0, addr, addrlenPtr));
    }

    @Override
    public long sendto(int fd, long buf, long len, long addr, int addrlen) {
        return ok(c.sendto(fd, buf, len, sendFlags(), addr, addrlen));
    }

    /** A C call's result as the contract wants it: the result, or -errno in Linux's numbers. */
    final int ok(int r) {
        return r >= 0 ? r : -linuxErrno(-r);
    }

    final long ok(long r) {
        return r >= 0 ? r : -linuxErrno((int) -r);
    }
}
