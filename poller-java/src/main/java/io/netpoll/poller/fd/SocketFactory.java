package io.netpoll.poller.fd;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.poller.PollDesc;
import io.netpoll.poller.sys.SockAddr;
import io.netpoll.poller.sys.SockAddrFormat;
import io.netpoll.poller.sys.Sys;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * How a {@link NetFD} comes to exist (Go's net.socket, sysSocket, netFD.dial and listenStream):
 * the socket layer makes a descriptor that is already non-blocking, close-on-exec and free of
 * SIGPIPE; NetFD's constructor registers it with the poller; then the socket is configured
 * (IPV6_V6ONLY off, SO_REUSEADDR on listeners, TCP_NODELAY on TCP connections, as in Go) and bound,
 * listened or connected. A factory that fails closes what it made, so nothing leaks.
 *
 * <p>Each factory takes the {@link SocketLayer} to use; {@link NetFD}'s public ones pass
 * {@link SocketLayer#get()}, tests pass another to run a layer's sequences on this kernel.
 */
final class SocketFactory {
    private SocketFactory() {}

    static NetFD socket(SocketLayer layer, int family, int sotype) throws IOException {
        layer.start();
        int fd = layer.socket(family, sotype);
        if (fd < 0) {
            throw layer.exception("socket", -fd);
        }
        NetFD nfd = new NetFD(layer, fd, family, sotype, true, null);
        if (family == Sys.AF_INET6) {
            try {
                nfd.setIntOption(Sys.IPPROTO_IPV6, Sys.IPV6_V6ONLY, 0);
            } catch (IOException | RuntimeException e) {
                nfd.close();
                throw e;
            }
        }
        return nfd;
    }

    static NetFD listen(SocketLayer layer, SocketAddress local, int backlog, boolean reusePort) throws IOException {
        int family = SockAddr.family(local);
        NetFD fd = socket(layer, family, Sys.SOCK_STREAM);
        try {
            if (family != Sys.AF_UNIX && layer.reuseAddressOnListen()) {
                fd.setIntOption(Sys.SOL_SOCKET, Sys.SO_REUSEADDR, 1);
            }
            if (reusePort) {
                fd.setIntOption(Sys.SOL_SOCKET, Sys.SO_REUSEPORT, 1);
            }
            bind(fd, local);
            int r = layer.listen(fd.sysfd, backlog);
            if (r < 0) {
                throw layer.exception("listen", -r);
            }
            return fd;
        } catch (IOException e) {
            fd.close();
            throw OpError.ofListen(family, Sys.SOCK_STREAM, local, e);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    static NetFD bindDatagram(SocketLayer layer, SocketAddress local) throws IOException {
        NetFD fd = socket(layer, SockAddr.family(local), Sys.SOCK_DGRAM);
        try {
            bind(fd, local);
            return fd;
        } catch (IOException e) {
            fd.close();
            throw OpError.ofListen(fd.family, Sys.SOCK_DGRAM, local, e);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** Go's netFD.connect: start, then wait for write readiness until SO_ERROR settles. */
    static NetFD dial(SocketLayer layer, SocketAddress remote, long timeoutNanos) throws IOException {
        NetFD fd = socket(layer, SockAddr.family(remote), Sys.SOCK_STREAM);
        try {
            if (timeoutNanos > 0) {
                fd.pd.setDeadline(PollDesc.MODE_WRITE, System.nanoTime() + timeoutNanos);
            }
            ThreadOp.run(fd, IoOp.CONNECT, null, null, remote);
            return fd;
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    static CompletableFuture<NetFD> dialAsync(SocketLayer layer, SocketAddress remote, long timeoutNanos, Executor executor) {
        NetFD fd;
        try {
            fd = socket(layer, SockAddr.family(remote), Sys.SOCK_STREAM);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        try {
            if (timeoutNanos > 0) {
                fd.pd.setDeadline(PollDesc.MODE_WRITE, System.nanoTime() + timeoutNanos);
            }
        } catch (RuntimeException e) {
            fd.close();
            return CompletableFuture.failedFuture(e);
        }
        return FutureOp.launch(fd, IoOp.CONNECT, null, null, remote, executor);
    }

    static NetFD[] socketPair(SocketLayer layer, int sotype) throws IOException {
        layer.start();
        try (Memory sv = new Memory(8)) {
            int r = layer.socketpair(sotype, Pointer.nativeValue(sv));
            if (r < 0) {
                throw layer.exception("socketpair", -r);
            }
            return pair(layer, sv, Sys.AF_UNIX, sotype, true);
        }
    }

    static NetFD[] pipe(SocketLayer layer) throws IOException {
        try (Memory fds = new Memory(8)) {
            int r = layer.pipe(Pointer.nativeValue(fds));
            if (r < 0) {
                throw layer.exception("pipe", -r);
            }
            return pair(layer, fds, 0, Sys.SOCK_STREAM, false);
        }
    }

    private static NetFD[] pair(SocketLayer layer, Memory fds, int family, int sotype, boolean socket) throws IOException {
        int a = fds.getInt(0);
        int b = fds.getInt(4);
        NetFD first;
        try {
            first = new NetFD(layer, a, family, sotype, socket, null);
        } catch (IOException e) {
            layer.close(b);
            throw e;
        }
        try {
            return new NetFD[] {first, new NetFD(layer, b, family, sotype, socket, null)};
        } catch (IOException e) {
            first.close();
            throw e;
        }
    }

    private static void bind(NetFD fd, SocketAddress local) throws IOException {
        SocketLayer layer = fd.layer;
        try (Memory sa = new Memory(SockAddrFormat.STORAGE_SIZE)) {
            int len = layer.sockaddr().encode(local, layer.nativeFamily(fd.family), sa);
            int r = layer.bind(fd.sysfd, Pointer.nativeValue(sa), len);
            if (r < 0) {
                throw layer.exception("bind", -r);
            }
        }
    }
}
