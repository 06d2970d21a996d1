package io.netpoll.poller.sys.bsd;

import io.netpoll.poller.sys.SockAddrFormat;

/**
 * The socket-layer constants of one BSD-derived OS, as a table (values from macOS's and FreeBSD's
 * {@code sys/socket.h}, {@code fcntl.h} and {@code errno.h}). Where Linux differs, the Linux value
 * is in a comment, so a reader can see why NetFD cannot use {@code Sys} there.
 *
 * <p>The two decisive differences: macOS has no accept4 and no SOCK_NONBLOCK/SOCK_CLOEXEC, so
 * sockets are made non-blocking and close-on-exec with fcntl after the fact; and macOS has no
 * MSG_NOSIGNAL, so every socket gets SO_NOSIGPIPE instead. FreeBSD has both Linux facilities.
 */
public final class BsdSys {
    public static final BsdSys DARWIN = new BsdSys("darwin", SockAddrFormat.DARWIN, false, 0, 0, 0, 0x1022, 100, 0x4, 0xffff);
    public static final BsdSys FREEBSD = new BsdSys("freebsd", SockAddrFormat.FREEBSD, true, 0x20000000, 0x10000000,
            0x20000, 0x0800, 92, 0x4, 0xffff);

    public final String name;
    public final SockAddrFormat sockaddr;
    /** accept4(2) exists (FreeBSD 10+); otherwise accept + fcntl. */
    public final boolean hasAccept4;
    /** 0 when the OS has no such flag (macOS); Linux 0x800 / 0x80000. */
    public final int sockNonblock;
    public final int sockCloexec;
    /** 0 when the OS has none (macOS): SO_NOSIGPIPE is set on every socket instead. Linux 0x4000. */
    public final int msgNosignal;
    /** SO_NOSIGPIPE (Linux has none). */
    public final int soNosigpipe;

    public final int afUnix = 1;
    public final int afInet = 2;
    /** Linux 10. */
    public final int afInet6;
    public final int sockStream = 1;
    public final int sockDgram = 2;

    /** Linux 0x800. */
    public final int oNonblock;
    public final int fGetfd = 1;
    public final int fSetfd = 2;
    public final int fGetfl = 3;
    public final int fSetfl = 4;
    public final int fdCloexec = 1;

    /** Linux 1. */
    public final int solSocket;
    /** Linux 2. */
    public final int soReuseaddr = 0x4;
    /** Linux 9. */
    public final int soKeepalive = 0x8;
    /** Linux 15. */
    public final int soReuseport = 0x200;
    /** Linux 7 / 8. */
    public final int soSndbuf = 0x1001;
    public final int soRcvbuf = 0x1002;
    /** Linux 4. */
    public final int soError = 0x1007;
    /** Linux 13; struct linger is {int, int} on both. */
    public final int soLinger = 0x80;
    public final int ipprotoTcp = 6;
    public final int tcpNodelay = 1;
    public final int ipprotoIpv6 = 41;
    /** Linux 26. */
    public final int ipv6V6only = 27;
    /** Linux 0x40. */
    public final int msgDontwait = 0x80;
    public final int shutRd = 0;
    public final int shutWr = 1;
    /** Linux 7. */
    public final int rlimitNofile = 8;

    // errno (Linux values in comments)
    public final int eintr = 4;
    public final int ebadf = 9;
    public final int eacces = 13;
    public final int einval = 22;
    public final int emfile = 24;
    public final int epipe = 32;
    /** Linux 11. */
    public final int eagain = 35;
    /** Linux 115. */
    public final int einprogress = 36;
    /** Linux 114. */
    public final int ealready = 37;
    /** Linux 88. */
    public final int enotsock = 38;
    /** Linux 90. */
    public final int emsgsize = 40;
    /** Linux 92. */
    public final int enoprotoopt = 42;
    /** Linux 97. */
    public final int eafnosupport = 47;
    /** Linux 98. */
    public final int eaddrinuse = 48;
    /** Linux 99. */
    public final int eaddrnotavail = 49;
    /** Linux 101. */
    public final int enetunreach = 51;
    /** Linux 103. */
    public final int econnaborted = 53;
    /** Linux 104. */
    public final int econnreset = 54;
    /** Linux 105. */
    public final int enobufs = 55;
    /** Linux 106. */
    public final int eisconn = 56;
    /** Linux 107. */
    public final int enotconn = 57;
    /** Linux 110. */
    public final int etimedout = 60;
    /** Linux 111. */
    public final int econnrefused = 61;
    /** Linux 113. */
    public final int ehostunreach = 65;
    /** Linux 71; macOS 100, FreeBSD 92. */
    public final int eproto;

    /**
     * A table; the two above are the supported OSes. Public so that a table for a further OS (or a
     * test running the BSD code paths against Linux) can be built from the values that vary.
     */
    public BsdSys(String name, SockAddrFormat sockaddr, boolean hasAccept4, int sockNonblock, int sockCloexec,
                  int msgNosignal, int soNosigpipe, int eproto, int oNonblock, int solSocket) {
        this.name = name;
        this.sockaddr = sockaddr;
        this.afInet6 = sockaddr.afInet6;
        this.hasAccept4 = hasAccept4;
        this.sockNonblock = sockNonblock;
        this.sockCloexec = sockCloexec;
        this.msgNosignal = msgNosignal;
        this.soNosigpipe = soNosigpipe;
        this.eproto = eproto;
        this.oNonblock = oNonblock;
        this.solSocket = solSocket;
    }

    /** The table for {@code os.name}, or null if the OS is not BSD-derived. */
    public static BsdSys forOs(String osName) {
        String os = osName.toLowerCase(java.util.Locale.ROOT);
        if (os.contains("mac") || os.contains("darwin")) {
            return DARWIN;
        }
        if (os.contains("freebsd")) {
            return FREEBSD;
        }
        return null;
    }

    /** Flags for send(2) that keep a write to a closed peer from raising SIGPIPE. */
    public int sendFlags() {
        return msgNosignal;
    }

    @Override
    public String toString() {
        return name;
    }
}
