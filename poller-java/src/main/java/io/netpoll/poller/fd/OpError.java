package io.netpoll.poller.fd;

import io.netpoll.DeadlineExceededException;
import io.netpoll.poller.sys.Sys;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;

/**
 * Errors that say which operation failed on which addresses, as Go's net.OpError does:
 * {@code <op> <network> [<local>->]<remote>: <cause>}, for example
 * <pre>
 *   dial tcp 127.0.0.1:21599: Connection refused (connect, errno 111)
 *   read tcp 127.0.0.1:5000->127.0.0.1:6000: i/o timeout
 *   write tcp 127.0.0.1:6000: use of closed network connection
 *   listen tcp 127.0.0.1:80: Permission denied (bind, errno 13)
 * </pre>
 * The operation is the caller's (dial, listen, accept, read, write), the cause the system call's
 * own message. The exception keeps its exact type: a {@link ConnectException} stays one, with the
 * longer message. The two channel exceptions have no message of their own, so they become
 * subclasses that add one, named like them in a stack trace ({@code
 * OpError$ClosedChannel}, {@code OpError$AsynchronousClose}).
 *
 * <p>Only failures pay: an operation's error passes through {@link #of} once, where it leaves the
 * I/O loop ({@link IoOp}) or a factory ({@link SocketFactory}); EAGAIN never becomes an exception,
 * and the addresses are read then (from the descriptor's cache, or asked of the kernel while the
 * descriptor is still open; a closed one names what it had cached).
 */
final class OpError {
    /** Go's ErrNetClosing text: the descriptor was closed before or during the call. */
    static final String CLOSED = "use of closed network connection";

    private OpError() {}

    /** The operation name of IoOp kind {@code kind}. */
    static String opName(int kind) {
        switch (kind) {
            case IoOp.READ:
            case IoOp.READV:
            case IoOp.PEEK:
            case IoOp.RECV_FROM:
                return "read";
            case IoOp.ACCEPT:
                return "accept";
            case IoOp.CONNECT:
                return "dial";
            default:
                return "write";
        }
    }

    /**
     * {@code e} with {@code op}, the network and addresses in front of its message, as the same
     * type; {@code e} itself if it is of a type this does not know (or already named). For a dial
     * {@code target} is the address dialled; otherwise the descriptor's own addresses are named:
     * the local one alone for a listener, local->remote for a connection.
     */
    static IOException of(String op, NetFD fd, SocketAddress target, IOException e) {
        if (e instanceof Named) {
            return e;
        }
        String message = op + " " + network(fd.family, fd.sotype) + addresses(op, fd, target) + ": " + cause(e);
        Class<?> type = e.getClass();
        IOException named;
        if (type == DeadlineExceededException.class) {
            named = new DeadlineExceededException(message);
        } else if (type == SocketException.class) {
            named = new SocketException(message);
        } else if (type == ConnectException.class) {
            named = new ConnectException(message);
        } else if (type == BindException.class) {
            named = new BindException(message);
        } else if (type == NoRouteToHostException.class) {
            named = new NoRouteToHostException(message);
        } else if (type == PortUnreachableException.class) {
            named = new PortUnreachableException(message);
        } else if (type == SocketTimeoutException.class) {
            named = new SocketTimeoutException(message);
        } else if (type == IOException.class) {
            named = new IOException(message);
        } else if (type == AsynchronousCloseException.class) {
            named = new AsynchronousClose(message);
        } else if (type == ClosedChannelException.class) {
            named = new ClosedChannel(message);
        } else {
            return e;
        }
        named.initCause(e);
        return named;
    }

    /** An {@link #of} on the listen or bind of a new socket: the address it was to have. */
    static IOException ofListen(int family, int sotype, SocketAddress local, IOException e) {
        String message = "listen " + network(family, sotype) + " " + format(local) + ": " + cause(e);
        Class<?> type = e.getClass();
        IOException named;
        if (type == BindException.class) {
            named = new BindException(message);
        } else if (type == SocketException.class) {
            named = new SocketException(message);
        } else {
            return e;
        }
        named.initCause(e);
        return named;
    }

    private static String cause(IOException e) {
        String m = e.getMessage();
        return m != null ? m : e instanceof ClosedChannelException ? CLOSED : e.getClass().getName();
    }

    /** Go's network names: tcp, udp, unix, unixgram; "pipe" for a pipe end. */
    static String network(int family, int sotype) {
        boolean stream = sotype == Sys.SOCK_STREAM;
        switch (family) {
            case Sys.AF_INET:
            case Sys.AF_INET6:
                return stream ? "tcp" : "udp";
            case Sys.AF_UNIX:
                return stream ? "unix" : "unixgram";
            default:
                return "pipe";
        }
    }

    private static String addresses(String op, NetFD fd, SocketAddress target) {
        if (target != null && op.equals("dial")) {
            return " " + format(target);
        }
        String local = format(known(fd, true));
        String remote = format(target != null ? target : known(fd, false));
        if (local.isEmpty()) {
            return remote.isEmpty() ? "" : " " + remote;
        }
        return remote.isEmpty() ? " " + local : " " + local + "->" + remote;
    }

    /** The local or remote address if cached or still askable; null if not known. */
    private static SocketAddress known(NetFD fd, boolean local) {
        try {
            return local ? fd.localAddress() : fd.remoteAddress();
        } catch (IOException | RuntimeException closedOrUnconnected) {
            return local ? fd.cachedLocalAddress() : fd.remoteAddress;
        }
    }

    /** Go's address text: 127.0.0.1:80, [::1]:80, a socket path; "" for none. */
    static String format(SocketAddress a) {
        if (a instanceof InetSocketAddress) {
            InetSocketAddress in = (InetSocketAddress) a;
            InetAddress ip = in.getAddress();
            String host = ip == null ? in.getHostString() : ip.getHostAddress();
            int scope = host.indexOf('%');
            String bare = scope >= 0 ? host.substring(0, scope) : host;
            boolean v6 = ip instanceof Inet6Address || bare.indexOf(':') >= 0;
            return (v6 ? "[" + compress(bare) + (scope >= 0 ? host.substring(scope) : "") + "]" : host) + ":" + in.getPort();
        }
        if (a instanceof UnixDomainSocketAddress) {
            return ((UnixDomainSocketAddress) a).getPath().toString();
        }
        return a == null ? "" : a.toString();
    }

    /** An IPv6 address as Java writes it (eight groups) in RFC 5952's short form: ::1, fe80::1. */
    private static String compress(String full) {
        String[] groups = full.split(":", -1);
        if (groups.length != 8) {
            return full;
        }
        int bestStart = -1;
        int bestLen = 1; // only runs of two or more zero groups are shortened
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        if (bestStart < 0) {
            return full;
        }
        return String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart)) + "::"
                + String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLen, 8));
    }

    /** Marks an exception that already names its operation. */
    private interface Named {}

    /** A {@link java.nio.channels.ClosedChannelException} that names the operation: closed before the call. */
    static final class ClosedChannel extends ClosedChannelException implements Named {
        private static final long serialVersionUID = 1L;
        private final String message;

        ClosedChannel(String message) {
            this.message = message;
        }

        @Override
        public String getMessage() {
            return message;
        }
    }

    /** An {@link AsynchronousCloseException} that names the operation: closed while the call waited. */
    static final class AsynchronousClose extends AsynchronousCloseException implements Named {
        private static final long serialVersionUID = 1L;
        private final String message;

        AsynchronousClose(String message) {
            this.message = message;
        }

        @Override
        public String getMessage() {
            return message;
        }
    }
}
