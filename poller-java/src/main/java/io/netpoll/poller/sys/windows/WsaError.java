package io.netpoll.poller.sys.windows;

import io.netpoll.poller.sys.Errno;

import java.io.IOException;

/**
 * WSAGetLastError codes in the terms NetFD speaks: {@link #toLinux} gives the Linux errno of the
 * same meaning, {@link #exception} the same exception types {@link Errno#exception} gives on Linux.
 *
 * <p>One difference is not a renumbering: a non-blocking connect on Windows fails with
 * WSAEWOULDBLOCK, where POSIX says EINPROGRESS; {@code toLinux("connect", ...)} says EINPROGRESS, so
 * NetFD's connect path is the same on every OS.
 */
public final class WsaError {
    private WsaError() {}

    public static final int WSAEINTR = 10004;
    public static final int WSAEBADF = 10009;
    public static final int WSAEACCES = 10013;
    public static final int WSAEFAULT = 10014;
    public static final int WSAEINVAL = 10022;
    public static final int WSAEMFILE = 10024;
    public static final int WSAEWOULDBLOCK = 10035;
    public static final int WSAEINPROGRESS = 10036;
    public static final int WSAEALREADY = 10037;
    public static final int WSAENOTSOCK = 10038;
    public static final int WSAEMSGSIZE = 10040;
    public static final int WSAENOPROTOOPT = 10042;
    public static final int WSAEOPNOTSUPP = 10045;
    public static final int WSAEAFNOSUPPORT = 10047;
    public static final int WSAEADDRINUSE = 10048;
    public static final int WSAEADDRNOTAVAIL = 10049;
    public static final int WSAENETDOWN = 10050;
    public static final int WSAENETUNREACH = 10051;
    public static final int WSAENETRESET = 10052;
    public static final int WSAECONNABORTED = 10053;
    public static final int WSAECONNRESET = 10054;
    public static final int WSAENOBUFS = 10055;
    public static final int WSAEISCONN = 10056;
    public static final int WSAENOTCONN = 10057;
    public static final int WSAESHUTDOWN = 10058;
    public static final int WSAETIMEDOUT = 10060;
    public static final int WSAECONNREFUSED = 10061;
    public static final int WSAEHOSTUNREACH = 10065;
    public static final int WSANOTINITIALISED = 10093;

    /** The Linux errno meaning what {@code code} means for {@code op}; unknown codes map to EINVAL. */
    public static int toLinux(String op, int code) {
        switch (code) {
            case WSAEWOULDBLOCK:
                return op.equals("connect") ? Errno.EINPROGRESS : Errno.EAGAIN;
            case WSAEINTR:
                return Errno.EINTR;
            case WSAEBADF:
            case WSAENOTSOCK:
                return Errno.EBADF;
            case WSAEACCES:
                return Errno.EACCES;
            case WSAEMFILE:
                return Errno.EMFILE;
            case WSAEINPROGRESS:
                return Errno.EINPROGRESS;
            case WSAEALREADY:
                return Errno.EALREADY;
            case WSAEMSGSIZE:
                return Errno.EMSGSIZE;
            case WSAENOPROTOOPT:
                return Errno.ENOPROTOOPT;
            case WSAEOPNOTSUPP:
                return Errno.EOPNOTSUPP;
            case WSAEAFNOSUPPORT:
                return Errno.EAFNOSUPPORT;
            case WSAEADDRINUSE:
                return Errno.EADDRINUSE;
            case WSAEADDRNOTAVAIL:
                return Errno.EADDRNOTAVAIL;
            case WSAENETUNREACH:
            case WSAENETDOWN:
                return Errno.ENETUNREACH;
            case WSAECONNABORTED:
                return Errno.ECONNABORTED;
            case WSAECONNRESET:
            case WSAENETRESET:
                return Errno.ECONNRESET;
            case WSAENOBUFS:
                return Errno.ENOBUFS;
            case WSAEISCONN:
                return Errno.EISCONN;
            case WSAENOTCONN:
                return Errno.ENOTCONN;
            case WSAESHUTDOWN:
                return Errno.EPIPE;
            case WSAETIMEDOUT:
                return Errno.ETIMEDOUT;
            case WSAECONNREFUSED:
                return Errno.ECONNREFUSED;
            case WSAEHOSTUNREACH:
                return Errno.EHOSTUNREACH;
            default:
                return Errno.EINVAL;
        }
    }

    /** Every code {@link #toLinux} knows, in the order {@link #fromLinux} prefers them. */
    private static final int[] CODES = {
        WSAEWOULDBLOCK, WSAEINTR, WSAENOTSOCK, WSAEBADF, WSAEACCES, WSAEINVAL, WSAEMFILE, WSAEINPROGRESS,
        WSAEALREADY, WSAEMSGSIZE, WSAENOPROTOOPT, WSAEOPNOTSUPP, WSAEAFNOSUPPORT, WSAEADDRINUSE, WSAEADDRNOTAVAIL,
        WSAENETUNREACH, WSAENETDOWN, WSAECONNABORTED, WSAECONNRESET, WSAENETRESET, WSAENOBUFS, WSAEISCONN,
        WSAENOTCONN, WSAESHUTDOWN, WSAETIMEDOUT, WSAECONNREFUSED, WSAEHOSTUNREACH,
    };

    /**
     * The Winsock code {@link #toLinux} maps to {@code linuxErrno} for {@code op}; for error messages
     * only (the first of several codes with one meaning, WSAEINVAL for none).
     */
    public static int fromLinux(String op, int linuxErrno) {
        for (int code : CODES) {
            if (toLinux(op, code) == linuxErrno) {
                return code;
            }
        }
        return WSAEINVAL;
    }

    /** Short English text for a code (FormatMessage's text, abridged). */
    public static String text(int code) {
        switch (code) {
            case WSAECONNREFUSED:
                return "Connection refused";
            case WSAECONNRESET:
                return "Connection reset by peer";
            case WSAECONNABORTED:
                return "Software caused connection abort";
            case WSAETIMEDOUT:
                return "Connection timed out";
            case WSAEADDRINUSE:
                return "Address already in use";
            case WSAEADDRNOTAVAIL:
                return "Cannot assign requested address";
            case WSAENETUNREACH:
                return "Network is unreachable";
            case WSAEHOSTUNREACH:
                return "No route to host";
            case WSAENOTCONN:
                return "Socket is not connected";
            case WSAESHUTDOWN:
                return "Cannot send after socket shutdown";
            case WSAEACCES:
                return "Permission denied";
            case WSAENOTSOCK:
                return "Socket operation on non-socket";
            case WSANOTINITIALISED:
                return "WSAStartup not called";
            case WSAEMSGSIZE:
                return "Message too long";
            case WSAENOPROTOOPT:
                return "Protocol not available";
            case WSAEOPNOTSUPP:
                return "Operation not supported";
            default:
                return "Winsock error";
        }
    }

    /**
     * The exception a JVM user expects for {@code code} raised by {@code op}, with the Winsock text
     * and code; the type is chosen by {@link Errno#exception(String, int, String)} from the Linux errno.
     */
    public static IOException exception(String op, int code) {
        return Errno.exception(op, toLinux(op, code), text(code) + " (" + op + ", WSA error " + code + ")");
    }
}
