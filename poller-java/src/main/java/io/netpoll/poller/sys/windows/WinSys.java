package io.netpoll.poller.sys.windows;

/**
 * Winsock constants (values from the mingw-w64 {@code winsock2.h}/{@code ws2def.h}); where Linux
 * differs, its value is in a comment.
 */
public final class WinSys {
    private WinSys() {}

    /** SOCKET is a UINT_PTR; INVALID_SOCKET is ~0. */
    public static final long INVALID_SOCKET = -1L;
    public static final int SOCKET_ERROR = -1;
    public static final int MSG_PEEK = 0x2;
    /** MAKEWORD(2, 2). */
    public static final short WINSOCK_VERSION = 0x0202;

    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    /** Linux 10. */
    public static final int AF_INET6 = 23;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;

    /** WSASocketW flags: no handle inheritance is Windows' close-on-exec. */
    public static final int WSA_FLAG_OVERLAPPED = 0x01;
    public static final int WSA_FLAG_NO_HANDLE_INHERIT = 0x80;

    /** ioctlsocket(FIONBIO): _IOW('f', 126, u_long). */
    public static final int FIONBIO = 0x8004667E;

    /** Linux 1. */
    public static final int SOL_SOCKET = 0xffff;
    /** Linux 2. */
    public static final int SO_REUSEADDR = 0x0004;
    /** ~SO_REUSEADDR: Windows' way to refuse port stealing. */
    public static final int SO_EXCLUSIVEADDRUSE = ~SO_REUSEADDR;
    public static final int SO_KEEPALIVE = 0x0008;
    public static final int SO_SNDBUF = 0x1001;
    public static final int SO_RCVBUF = 0x1002;
    /** Linux 4. */
    public static final int SO_ERROR = 0x1007;
    /** Linux 13; struct linger is {u_short, u_short} here, {int, int} on Linux. */
    public static final int SO_LINGER = 0x0080;
    public static final int LINGER_SIZE = 4;
    public static final int IPPROTO_TCP = 6;
    public static final int TCP_NODELAY = 1;
    public static final int IPPROTO_IPV6 = 41;
    /** Linux 26. */
    public static final int IPV6_V6ONLY = 27;

    /** SetHandleInformation: the flag that makes a handle inheritable by child processes. */
    public static final int HANDLE_FLAG_INHERIT = 0x1;

    /** shutdown(): SD_RECEIVE, SD_SEND (Linux SHUT_RD, SHUT_WR). */
    public static final int SD_RECEIVE = 0;
    public static final int SD_SEND = 1;
}
