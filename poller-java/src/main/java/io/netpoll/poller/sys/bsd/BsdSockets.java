package io.netpoll.poller.sys.bsd;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * The socket calls whose BSD form differs from Linux's, each giving NetFD what Linux's one call
 * gives it: a socket that is non-blocking, close-on-exec, and never raises SIGPIPE.
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
 * </ul>
 * Both return the new fd, or {@code -errno} (the OS's own number) with nothing left open, so the
 * caller needs no second native call to learn why.
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

    /** Makes a fresh fd non-blocking and close-on-exec, then guards it against SIGPIPE. */
    private int finish(int fd) {
        int fl = c.fcntl(fd, sys.fGetfl, 0);
        if (fl < 0 || c.fcntl(fd, sys.fSetfl, fl | sys.oNonblock) < 0 || c.fcntl(fd, sys.fSetfd, sys.fdCloexec) < 0) {
            return closeWithErrno(fd);
        }
        return noSigpipe(fd);
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
