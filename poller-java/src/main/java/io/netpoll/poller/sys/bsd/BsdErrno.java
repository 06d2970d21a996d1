package io.netpoll.poller.sys.bsd;

import io.netpoll.poller.sys.Errno;

import java.io.IOException;

/**
 * BSD errno values in the terms NetFD already speaks: {@link #toLinux} maps a BSD number to the
 * Linux constant in {@link Errno} (so {@code errno == Errno.EAGAIN} tests keep their meaning), and
 * {@link #exception} picks the same exception types as {@link Errno#exception} does on Linux.
 */
public final class BsdErrno {
    /** Above every errno macOS (106) and FreeBSD (97) define. */
    private static final int MAX_ERRNO = 128;

    private BsdErrno() {}

    /** The Linux errno with the same meaning as {@code bsdErrno} on {@code sys}; unknown numbers map to EINVAL. */
    public static int toLinux(BsdSys sys, int bsdErrno) {
        if (bsdErrno == sys.eagain) {
            return Errno.EAGAIN;
        }
        if (bsdErrno == sys.einprogress) {
            return Errno.EINPROGRESS;
        }
        if (bsdErrno == sys.ealready) {
            return Errno.EALREADY;
        }
        if (bsdErrno == sys.eisconn) {
            return Errno.EISCONN;
        }
        if (bsdErrno == sys.enotconn) {
            return Errno.ENOTCONN;
        }
        if (bsdErrno == sys.econnrefused) {
            return Errno.ECONNREFUSED;
        }
        if (bsdErrno == sys.econnreset) {
            return Errno.ECONNRESET;
        }
        if (bsdErrno == sys.econnaborted) {
            return Errno.ECONNABORTED;
        }
        if (bsdErrno == sys.etimedout) {
            return Errno.ETIMEDOUT;
        }
        if (bsdErrno == sys.eaddrinuse) {
            return Errno.EADDRINUSE;
        }
        if (bsdErrno == sys.eaddrnotavail) {
            return Errno.EADDRNOTAVAIL;
        }
        if (bsdErrno == sys.enetunreach) {
            return Errno.ENETUNREACH;
        }
        if (bsdErrno == sys.ehostunreach) {
            return Errno.EHOSTUNREACH;
        }
        if (bsdErrno == sys.enobufs) {
            return Errno.ENOBUFS;
        }
        if (bsdErrno == sys.eafnosupport) {
            return Errno.EAFNOSUPPORT;
        }
        if (bsdErrno == sys.eproto) {
            return Errno.EPROTO;
        }
        if (bsdErrno == sys.enotsock) {
            return Errno.ENOTSOCK;
        }
        if (bsdErrno == sys.emsgsize) {
            return Errno.EMSGSIZE;
        }
        if (bsdErrno == sys.enoprotoopt) {
            return Errno.ENOPROTOOPT;
        }
        // 1..34 are the historical Unix numbers, identical on Linux and the BSDs.
        if (bsdErrno > 0 && bsdErrno <= 34) {
            return bsdErrno;
        }
        return Errno.EINVAL;
    }

    /**
     * The BSD number {@link #toLinux} maps to {@code linuxErrno}; for error messages only (a BSD
     * number that {@link #toLinux} does not know came back as EINVAL and goes out as EINVAL).
     */
    public static int fromLinux(BsdSys sys, int linuxErrno) {
        for (int bsd = 1; bsd <= MAX_ERRNO; bsd++) {
            if (toLinux(sys, bsd) == linuxErrno && (linuxErrno != Errno.EINVAL || bsd == sys.einval)) {
                return bsd;
            }
        }
        return sys.einval;
    }

    /**
     * The exception for {@code bsdErrno} raised by {@code op}, with the OS's own {@code text}
     * (strerror on the BSD) and number; the type is chosen by {@link Errno#exception(String, int, String)}
     * from the Linux errno, as on Linux.
     */
    public static IOException exception(BsdSys sys, String op, int bsdErrno, String text) {
        return Errno.exception(op, toLinux(sys, bsdErrno), text + " (" + op + ", errno " + bsdErrno + ")");
    }
}
