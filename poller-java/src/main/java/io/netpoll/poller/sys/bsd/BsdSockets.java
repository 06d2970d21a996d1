package io.netpoll.poller.sys.bsd;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * The descriptor-creating calls whose BSD form differs from Linux's, each giving NetFD what Linux's
 * one call gives it: a descriptor that is non-blocking, close-on-exec, and (a socket) never raises
 * SIGPIPE.
 * <ul>
 *   <li>{@link #socket}: {@code socket(type|SOCK_NONBLOCK|SOCK_CLOEXEC)} where the flags exist
 *       (FreeBSD); otherwise (macOS) plain socket, then fcntl F_SETFL O_NONBLOCK and F_SETFD
 *       FD_CLOEXEC, as Go's sysSocket does on darwin.</li>
 *   <li>{@link #accept}: accept4 where it exists; otherwise accept, then the same fcntls (Go's
 *       accept on darwin). The window in which the fd lacks FD_CLOEXEC is Go's too: a concurrent
 *       fork+exec could inherit it; the JVM forks only through ProcessBuilder, which closes
 *       descriptors in the child.</li>
 *   <li>Where there is no MSG_NOSIGNAL (macOS), SO_NOSIGPIPE is set on every socket either call
 *       returns; {@link BsdSys#sendFlags()} is then 0.</li>
 *   <li>{@link #socketpair}: the flags in the type where they exist, otherwise both ends get the
 *       fcntls (and SO_NOSIGPIPE). {@link #pipe}: pipe, then the fcntls on both ends, on every BSD
 *       (Go's darwin os.Pipe); a pipe cannot carry SO_NOSIGPIPE, and needs none on the JVM, which
 *       ignores SIGPIPE, so a write to a closed pipe fails with EPIPE.</li>
 * </ul>
 * {@link #socket} and {@link #accept} return the new fd, {@link #socketpair} and {@link #pipe} 0
 * with both fds stored; each returns {@code -errno} (the OS's own number) with nothing left open,
 * so the caller needs no second native call to learn why.
 */
public final class BsdSockets {
    private final BsdCalls c;
    private final BsdSys sys;

    public BsdSockets(BsdCalls calls, BsdSys sys) {
        this.c = calls;
        this.sys = sys;
    }

    public BsdSys sys() {
        return sys;
    }

    public int socket(int family, int sotype) {
        if (sys.sockNonblock != 0) {
            int fd = c.socket(family, sotype | sys.sockNonblock | sys.sockCloexec, 0);
            return fd < 0 ? -c.errno() : noSigpipe(fd);
        }
        int fd = c.socket(family, sotype, 0);
        return fd < 0 ? -c.errno() : finish(fd);
    }

    public int accept(int listener, long addr, long addrlenPtr) {
        if (sys.hasAccept4) {
            int fd = c.accept4(listener, addr, addrlenPtr, sys.sockNonblock | sys.sockCloexec);
            return fd < 0 ? -c.errno() : noSigpipe(fd);
        }
        int fd = c.accept(listener, addr, addrlenPtr);
        return fd < 0 ? -c.errno() : finish(fd);
    }

    /** A connected pair of AF_UNIX sockets of {@code sotype} into the two ints at {@code sv}. */
    public int socketpair(int sotype, long sv) {
        boolean flags = sys.sockNonblock != 0;
        int type = flags ? sotype | sys.sockNonblock | sys.sockCloexec : sotype;
        if (c.socketpair(sys.afUnix, type, 0, sv) < 0) {
            return -c.errno();
        }
        return bothEnds(sv, true, !flags);
    }

    /** A pipe: the read end, then the write end, into the two ints at {@code fds}. */
    public int pipe(long fds) {
        if (c.pipe(fds) < 0) {
            return -c.errno();
        }
        return bothEnds(fds, false, true);
    }

    /** Applies the fcntls and/or SO_NOSIGPIPE to both fds at {@code pair}; on failure closes both. */
    private int bothEnds(long pair, boolean sockets, boolean fcntls) {
        Pointer fds = new Pointer(pair);
        int a = fds.getInt(0);
        int b = fds.getInt(4);
        int r = prepare(a, sockets, fcntls);
        if (r < 0) {
            c.close(b);
            return r;
        }
        r = prepare(b, sockets, fcntls);
        if (r < 0) {
            c.close(a);
            return r;
        }
        return 0;
    }

    private int prepare(int fd, boolean socket, boolean fcntls) {
        int r = fcntls ? nonblockCloexec(fd) : fd;
        return r >= 0 && socket ? noSigpipe(fd) : r;
    }

    /** Makes a fresh fd non-blocking and close-on-exec, then guards it against SIGPIPE. */
    private int finish(int fd) {
        int r = nonblockCloexec(fd);
        return r < 0 ? r : noSigpipe(fd);
    }

    /** fcntl F_SETFL O_NONBLOCK and F_SETFD FD_CLOEXEC: {@code fd}, or -errno with fd closed. */
    private int nonblockCloexec(int fd) {
        int fl = c.fcntl(fd, sys.fGetfl, 0);
        if (fl < 0 || c.fcntl(fd, sys.fSetfl, fl | sys.oNonblock) < 0 || c.fcntl(fd, sys.fSetfd, sys.fdCloexec) < 0) {
            return closeWithErrno(fd);
        }
        return fd;
    }

    private int noSigpipe(int fd) {
        if (sys.msgNosignal != 0 || sys.soNosigpipe == 0) {
            return fd;
        }
        try (Memory one = new Memory(4)) {
            one.setInt(0, 1);
            if (c.setsockopt(fd, sys.solSocket, sys.soNosigpipe, Pointer.nativeValue(one), 4) < 0) {
                return closeWithErrno(fd);
            }
        }
        return fd;
    }

    private int closeWithErrno(int fd) {
        int errno = c.errno();
        c.close(fd);
        return -errno;
    }
}
