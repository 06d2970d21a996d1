package io.netpoll.poller.fd;

import io.netpoll.poller.sys.Sys;

/**
 * One OS's numbers for the socket options NetFD knows, looked up by their Linux numbers (the
 * socket layer's contract): SOL_SOCKET's SO_REUSEADDR, SO_ERROR, SO_SNDBUF, SO_RCVBUF,
 * SO_KEEPALIVE, SO_LINGER, SO_REUSEPORT; IPPROTO_TCP's TCP_NODELAY; IPPROTO_IPV6's IPV6_V6ONLY.
 * Any other option, or one the OS lacks (SO_REUSEPORT on Windows), has no number here.
 */
final class OptionNumbers {
    /** {@link #of}: the OS has no such option. */
    static final long NONE = -1;

    private final int solSocket;
    private final int soReuseaddr;
    private final int soError;
    private final int soSndbuf;
    private final int soRcvbuf;
    private final int soKeepalive;
    private final int soLinger;
    private final int soReuseport;
    private final int ipprotoTcp;
    private final int tcpNodelay;
    private final int ipprotoIpv6;
    private final int ipv6V6only;

    /** {@code soReuseport} 0: the OS has none. */
    OptionNumbers(int solSocket, int soReuseaddr, int soError, int soSndbuf, int soRcvbuf, int soKeepalive, int soLinger,
                  int soReuseport, int ipprotoTcp, int tcpNodelay, int ipprotoIpv6, int ipv6V6only) {
        this.solSocket = solSocket;
        this.soReuseaddr = soReuseaddr;
        this.soError = soError;
        this.soSndbuf = soSndbuf;
        this.soRcvbuf = soRcvbuf;
        this.soKeepalive = soKeepalive;
        this.soLinger = soLinger;
        this.soReuseport = soReuseport;
        this.ipprotoTcp = ipprotoTcp;
        this.tcpNodelay = tcpNodelay;
        this.ipprotoIpv6 = ipprotoIpv6;
        this.ipv6V6only = ipv6V6only;
    }

    /** The OS's (level, name) for Linux's, packed by {@link #level}/{@link #name}, or {@link #NONE}. */
    long of(int level, int name) {
        switch (level) {
            case Sys.SOL_SOCKET:
                int n = socketLevel(name);
                return n == 0 ? NONE : pack(solSocket, n);
            case Sys.IPPROTO_TCP:
                return name == Sys.TCP_NODELAY ? pack(ipprotoTcp, tcpNodelay) : NONE;
            case Sys.IPPROTO_IPV6:
                return name == Sys.IPV6_V6ONLY ? pack(ipprotoIpv6, ipv6V6only) : NONE;
            default:
                return NONE;
        }
    }

    private int socketLevel(int name) {
        switch (name) {
            case Sys.SO_REUSEADDR:
                return soReuseaddr;
            case Sys.SO_ERROR:
                return soError;
            case Sys.SO_SNDBUF:
                return soSndbuf;
            case Sys.SO_RCVBUF:
                return soRcvbuf;
            case Sys.SO_KEEPALIVE:
                return soKeepalive;
            case Sys.SO_LINGER:
                return soLinger;
            case Sys.SO_REUSEPORT:
                return soReuseport;
            default:
                return 0;
        }
    }

    static boolean isSoError(int level, int name) {
        return level == Sys.SOL_SOCKET && name == Sys.SO_ERROR;
    }

    private static long pack(int level, int name) {
        return (long) level << 32 | (name & 0xffffffffL);
    }

    static int level(long packed) {
        return (int) (packed >>> 32);
    }

    static int name(long packed) {
        return (int) packed;
    }
}
