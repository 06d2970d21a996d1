package io.netpoll.poller.fd;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.poller.sys.Errno;
import io.netpoll.poller.sys.SockAddrFormat;
import io.netpoll.poller.sys.Sys;
import io.netpoll.poller.sys.windows.WinSys;
import io.netpoll.poller.sys.windows.WinsockCalls;
import io.netpoll.poller.sys.windows.WsaError;

import java.io.IOException;

/**
 * The Windows socket layer, over Winsock ({@link WinsockCalls}).
 * <ul>
 *   <li>{@link #start} runs WSAStartup before the process's first socket.</li>
 *   <li>A socket is WSASocketW with WSA_FLAG_NO_HANDLE_INHERIT (Windows' close-on-exec), then
 *       ioctlsocket FIONBIO; an accepted socket loses handle inheritance through
 *       SetHandleInformation and gets FIONBIO (Go's sysSocket and accept on Windows). There is no
 *       SIGPIPE, so sends carry no flag.</li>
 *   <li>Byte I/O is recv/send; vectors are WSABUFs (length first, then pointer) sent with
 *       WSARecv/WSASend without OVERLAPPED, the byte count and flags in the caller's scratch.
 *       Windows has neither socketpair nor pollable pipes: both fail with EOPNOTSUPP.</li>
 *   <li>Translation at the edge: WSAGetLastError by {@link WsaError#toLinux} (a non-blocking
 *       connect's WSAEWOULDBLOCK becomes EINPROGRESS; the value of SO_ERROR is translated too),
 *       AF_INET6 and option numbers from {@link WinSys}, struct linger between Linux's two ints and
 *       Windows' two u_shorts. Listeners get no SO_REUSEADDR, as in Go: on Windows it would let
 *       another socket steal the port.</li>
 * </ul>
 * Never run on Windows (no Windows JVM here); its call sequences run against a recording double.
 */
final class WinsockSocketLayer implements SocketLayer {
    private static final int SOCKET_FLAGS = WinSys.WSA_FLAG_OVERLAPPED | WinSys.WSA_FLAG_NO_HANDLE_INHERIT;
    private static final int LINUX_LINGER_SIZE = 8;
    private static final int BYTES = 0;
    private static final int FLAGS = 8;
    private static final OptionNumbers OPTIONS = new OptionNumbers(WinSys.SOL_SOCKET, WinSys.SO_REUSEADDR, WinSys.SO_ERROR,
            WinSys.SO_SNDBUF, WinSys.SO_RCVBUF, WinSys.SO_KEEPALIVE, WinSys.SO_LINGER, 0, WinSys.IPPROTO_TCP, WinSys.TCP_NODELAY,
            WinSys.IPPROTO_IPV6, WinSys.IPV6_V6ONLY);

    private final WinsockCalls ws;
    private volatile boolean started;

    WinsockSocketLayer(WinsockCalls calls) {
        this.ws = calls;
    }

    @Override
    public String name() {
        return "windows";
    }

    @Override
    public void start() throws IOException {
        if (!started) {
            ws.startup();
            started = true;
        }
    }

    @Override
    public SockAddrFormat sockaddr() {
        return SockAddrFormat.WINDOWS;
    }

    @Override
    public int nativeFamily(int family) {
        return family == Sys.AF_INET6 ? WinSys.AF_INET6 : family;
    }

    @Override
    public boolean reuseAddressOnListen() {
        return false;
    }

    @Override
    public int socket(int family, int sotype) {
        long s = ws.socket(nativeFamily(family), sotype, 0, SOCKET_FLAGS);
        if (s == WinSys.INVALID_SOCKET) {
            return -error("socket");
        }
        return nonBlocking(s);
    }

    @Override
    public int accept(int fd, long addr, long addrlenPtr) {
        long s = ws.accept(fd, addr, addrlenPtr);
        if (s == WinSys.INVALID_SOCKET) {
            return -error("accept");
        }
        if (ws.setHandleInformation(s, WinSys.HANDLE_FLAG_INHERIT, 0) == 0) {
            int errno = error("SetHandleInformation");
            ws.closesocket(s);
            return -errno;
        }
        return nonBlocking(s);
    }

    /** FIONBIO on a fresh socket: the socket as an fd, or -errno with it closed. */
    private int nonBlocking(long s) {
        try (Memory one = new Memory(4)) {
            one.setInt(0, 1);
            if (ws.ioctlsocket(s, WinSys.FIONBIO, Pointer.nativeValue(one)) == WinSys.SOCKET_ERROR) {
                int errno = error("ioctlsocket");
                ws.closesocket(s);
                return -errno;
            }
        }
        return (int) s;
    }

    @Override
    public int socketpair(int sotype, long sv) {
        return -Errno.EOPNOTSUPP;
    }

    @Override
    public int pipe(long fds) {
        return -Errno.EOPNOTSUPP;
    }

    @Override
    public int bind(int fd, long addr, int len) {
        return ok("bind", ws.bind(fd, addr, len));
    }

    @Override
    public int listen(int fd, int backlog) {
        return ok("listen", ws.listen(fd, backlog));
    }

    @Override
    public int connect(int fd, long addr, int len) {
        return ok("connect", ws.connect(fd, addr, len));
    }

    @Override
    public int getsockname(int fd, long addr, long lenPtr) {
        return ok("getsockname", ws.getsockname(fd, addr, lenPtr));
    }

    @Override
    public int getpeername(int fd, long addr, long lenPtr) {
        return ok("getpeername", ws.getpeername(fd, addr, lenPtr));
    }

    @Override
    public int setsockopt(int fd, int level, int name, long value, int len) {
        long opt = OPTIONS.of(level, name);
        if (opt == OptionNumbers.NONE) {
            return -Errno.ENOPROTOOPT;
        }
        if (name == Sys.SO_LINGER && level == Sys.SOL_SOCKET) {
            try (Memory l = new Memory(WinSys.LINGER_SIZE)) {
                Pointer v = new Pointer(value);
                l.setShort(0, (short) v.getInt(0));
                l.setShort(2, (short) v.getInt(4));
                return ok("setsockopt", ws.setsockopt(fd, WinSys.SOL_SOCKET, WinSys.SO_LINGER, Pointer.nativeValue(l), WinSys.LINGER_SIZE));
            }
        }
        return ok("setsockopt", ws.setsockopt(fd, OptionNumbers.level(opt), OptionNumbers.name(opt), value, len));
    }

    @Override
    public int getsockopt(int fd, int level, int name, long value, long lenPtr) {
        long opt = OPTIONS.of(level, name);
        if (opt == OptionNumbers.NONE) {
            return -Errno.ENOPROTOOPT;
        }
        Pointer v = new Pointer(value);
        Pointer len = new Pointer(lenPtr);
        boolean linger = name == Sys.SO_LINGER && level == Sys.SOL_SOCKET;
        if (linger) {
            len.setInt(0, WinSys.LINGER_SIZE);
        }
        int r = ok("getsockopt", ws.getsockopt(fd, OptionNumbers.level(opt), OptionNumbers.name(opt), value, lenPtr));
        if (r == 0 && linger) {
            int onoff = Short.toUnsignedInt(v.getShort(0));
            int seconds = Short.toUnsignedInt(v.getShort(2));
            v.setInt(0, onoff);
            v.setInt(4, seconds);
            len.setInt(0, LINUX_LINGER_SIZE);
        } else if (r == 0 && OptionNumbers.isSoError(level, name)) {
            int err = v.getInt(0);
            v.setInt(0, err == 0 ? 0 : WsaError.toLinux("getsockopt", err));
        }
        return r;
    }

    @Override
    public int shutdown(int fd, int how) {
        return ok("shutdown", ws.shutdown(fd, how));
    }

    @Override
    public int close(int fd) {
        return ok("closesocket", ws.closesocket(fd));
    }

    @Override
    public long read(int fd, long buf, long len) {
        // hot path: no allocation
        return ok("recv", ws.recv(fd, buf, clamp(len), 0));
    }

    @Override
    public long peek(int fd, long buf, long len) {
        // hot path: no allocation
        return ok("recv", ws.recv(fd, buf, clamp(len), WinSys.MSG_PEEK));
    }

    @Override
    public long send(int fd, long buf, long len) {
        // hot path: no allocation
        return ok("send", ws.send(fd, buf, clamp(len), 0));
    }

    @Override
    public long write(int fd, long buf, long len) {
        return send(fd, buf, len);
    }

    @Override
    public long readv(int fd, Memory vec, int cnt, long scratchOffset) {
        long base = Pointer.nativeValue(vec);
        vec.setInt(scratchOffset + FLAGS, 0);
        int r = ws.wsaRecv(fd, base, cnt, base + scratchOffset + BYTES, base + scratchOffset + FLAGS);
        return r == WinSys.SOCKET_ERROR ? -error("WSARecv") : Integer.toUnsignedLong(vec.getInt(scratchOffset + BYTES));
    }

    @Override
    public long sendv(int fd, Memory vec, int cnt, long scratchOffset) {
        long base = Pointer.nativeValue(vec);
        int r = ws.wsaSend(fd, base, cnt, base + scratchOffset + BYTES, 0);
        return r == WinSys.SOCKET_ERROR ? -error("WSASend") : Integer.toUnsignedLong(vec.getInt(scratchOffset + BYTES));
    }

    @Override
    public long writev(int fd, Memory vec, int cnt, long scratchOffset) {
        return sendv(fd, vec, cnt, scratchOffset);
    }

    @Override
    public long recvfrom(int fd, long buf, long len, long addr, long addrlenPtr) {
        return ok("recvfrom", ws.recvfrom(fd, buf, clamp(len), 0, addr, addrlenPtr));
    }

    @Override
    public long sendto(int fd, long buf, long len, long addr, int addrlen) {
        return ok("sendto", ws.sendto(fd, buf, clamp(len), 0, addr, addrlen));
    }

    /** A WSABUF: ULONG len, padding, then CHAR* buf. */
    @Override
    public void iovec(Memory m, long offset, long base, long len) {
        m.setInt(offset, clamp(len));
        m.setInt(offset + 4, 0);
        m.setLong(offset + 8, base);
    }

    @Override
    public int linuxErrno(int errno) {
        return WsaError.toLinux("getsockopt", errno);
    }

    @Override
    public IOException exception(String op, int errno) {
        return WsaError.exception(op, WsaError.fromLinux(op, errno));
    }

    private int ok(String op, int r) {
        return r != WinSys.SOCKET_ERROR ? r : -error(op);
    }

    private int error(String op) {
        return WsaError.toLinux(op, ws.lastError());
    }

    private static int clamp(long len) {
        return (int) Math.min(len, Integer.MAX_VALUE);
    }
}
