package io.netpoll.poller.sys;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;

/**
 * errno values (Linux, shared by x86_64 and aarch64) and their translation into the JVM's own
 * exception types. The calls themselves hand errno back as a negative result ({@link PosixCalls}).
 */
public final class Errno {
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int EPIPE = 32;
    public static final int EPROTO = 71;
    public static final int ENOTSOCK = 88;
    public static final int EMSGSIZE = 90;
    public static final int ENOPROTOOPT = 92;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETUNREACH = 101;
    public static final int ECONNABORTED = 103;
    public static final int ECONNRESET = 104;
    public static final int ENOBUFS = 105;
    public static final int EISCONN = 106;
    public static final int ENOTCONN = 107;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;
    public static final int EALREADY = 114;
    public static final int EINPROGRESS = 115;

    private Errno() {}

    /** The C library's text for {@code errno}. */
    public static String text(int errno) {
        String s = NativeLayer.posix().strerror(errno);
        return s == null ? "errno " + errno : s;
    }

    /**
     * The exception a JVM user expects for {@code errno} raised by {@code op}, with the C library's
     * text and the number: see {@link #exception(String, int, String)}.
     */
    public static IOException exception(String op, int errno) {
        return exception(op, errno, text(errno) + " (" + op + ", errno " + errno + ")");
    }

    /**
     * The exception a JVM user expects for Linux {@code errno} raised by {@code op}, carrying
     * {@code message} (each OS layer writes its own text and number into it): connection refused
     * is a {@link ConnectException}, a taken address a {@link BindException}, an unreachable peer a
     * {@link NoRouteToHostException}, everything else a {@link SocketException}.
     */
    public static IOException exception(String op, int errno, String message) {
        switch (errno) {
            case ECONNREFUSED:
                return new ConnectException(message);
            case ETIMEDOUT:
                return op.equals("connect") ? new ConnectException(message) : new SocketException(message);
            case EADDRINUSE:
            case EADDRNOTAVAIL:
            case EACCES:
                return op.equals("bind") ? new BindException(message) : new SocketException(message);
            case ENETUNREACH:
            case EHOSTUNREACH:
                return new NoRouteToHostException(message);
            default:
                return new SocketException(message);
        }
    }
}
