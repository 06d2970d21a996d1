package io.netpoll.poller.fd;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.DeadlineExceededException;
import io.netpoll.poller.Netpoll;
import io.netpoll.poller.PollDesc;
import io.netpoll.poller.sys.Errno;
import io.netpoll.poller.sys.LibC;
import io.netpoll.poller.sys.SockAddr;
import io.netpoll.poller.sys.Sys;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * A non-blocking socket (or pipe end) driven by the {@link Netpoll} (Go's netFD + poll.FD).
 *
 * <h2>The I/O loop</h2>
 * Every operation is: take the direction's lock in the {@link FdMutex} → {@link PollDesc#prepare}
 * → try the syscall → on EAGAIN wait on the {@link PollDesc} → try again. EINTR is retried at once;
 * EAGAIN and EINTR never become exceptions. The loop exists in three forms over the same
 * {@code try*} primitives: blocking (parks the calling thread; cheap on virtual threads),
 * {@link CompletableFuture} ({@code *Async}, completions run on an executor, never on the poller),
 * and the bare {@code try*} primitives for callers that do their own waiting (net-kt's coroutines).
 *
 * <h2>Close</h2>
 * {@link #close} marks the mutex closed, evicts waiters (their calls fail with
 * {@link AsynchronousCloseException}) and closes the OS fd only when the last call in flight has
 * left, so an fd number is never reused under a running syscall. Calls made after close fail with
 * {@link ClosedChannelException}; a second close does nothing.
 *
 * <h2>Errors</h2>
 * A passed deadline is a {@link DeadlineExceededException}; errno values become the JVM's socket
 * exceptions ({@link Errno#exception}); writes use MSG_NOSIGNAL, so a closed peer is an
 * exception, never SIGPIPE.
 */
public final class NetFD implements Closeable {
    /** {@link #tryRead}/{@link #tryWrite}: would block. */
    public static final int EAGAIN = -2;
    /** {@link #tryRead}: end of stream. */
    public static final int EOF = -1;

    private static final int IOV_MAX_PER_CALL = 64;
    private static final int ADDRLEN_OFFSET = SockAddr.STORAGE_SIZE;

    private final int sysfd;
    private final int family;
    private final int sotype;
    private final boolean socket;
    private final Netpoll netpoll;
    private final PollDesc pd;
    private final FdMutex mu = new FdMutex();
    private final NativeBuffers.AddressCache readAddresses = new NativeBuffers.AddressCache();
    private final NativeBuffers.AddressCache writeAddresses = new NativeBuffers.AddressCache();
    /** sockaddr storage + socklen for accept/recvfrom; used under the read lock. */
    private Memory readScratch;
    /** iovecs + msghdr + sockaddr for writev/sendto; used under the write lock. */
    private Memory writeScratch;
    private volatile SocketAddress localAddress;
    private volatile SocketAddress remoteAddress;

    private NetFD(int sysfd, int family, int sotype, boolean socket, SocketAddress remote) throws IOException {
        this.sysfd = sysfd;
        this.family = family;
        this.sotype = sotype;
        this.socket = socket;
        this.netpoll = Netpoll.get();
        this.remoteAddress = remote;
        try {
            this.pd = netpoll.open(sysfd);
        } catch (IOException e) {
            LibC.close(sysfd);
            throw e;
        }
    }

    // ---- construction ----------------------------------------------------------------------------

    /** A new non-blocking, close-on-exec socket of {@code family} (Sys.AF_*) and {@code sotype}. */
    public static NetFD socket(int family, int sotype) throws IOException {
        int fd = LibC.socket(family, sotype | Sys.SOCK_NONBLOCK | Sys.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw Errno.exception("socket", Errno.last());
        }
        NetFD nfd = new NetFD(fd, family, sotype, true, null);
        if (family == Sys.AF_INET6) {
            nfd.setIntOption(Sys.IPPROTO_IPV6, Sys.IPV6_V6ONLY, 0);
        }
        return nfd;
    }

    /**
     * A listening stream socket bound to {@code local} (port 0 picks a free port). SO_REUSEADDR is
     * on for TCP, as in Go; {@code reusePort} adds SO_REUSEPORT.
     */
    public static NetFD listen(SocketAddress local, int backlog, boolean reusePort) throws IOException {
        int family = SockAddr.family(local);
        NetFD fd = socket(family, Sys.SOCK_STREAM);
        try {
            if (family != Sys.AF_UNIX) {
                fd.setIntOption(Sys.SOL_SOCKET, Sys.SO_REUSEADDR, 1);
            }
            if (reusePort) {
                fd.setIntOption(Sys.SOL_SOCKET, Sys.SO_REUSEPORT, 1);
            }
            fd.bind(local);
            if (LibC.listen(fd.sysfd, backlog) < 0) {
                throw Errno.exception("listen", Errno.last());
            }
            return fd;
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** A datagram socket bound to {@code local}. */
    public static NetFD bindDatagram(SocketAddress local) throws IOException {
        NetFD fd = socket(SockAddr.family(local), Sys.SOCK_DGRAM);
        try {
            fd.bind(local);
            return fd;
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /**
     * Connects a new stream socket to {@code remote}, blocking the calling thread at most
     * {@code timeoutNanos} ({@code <= 0}: no limit). TCP connections get TCP_NODELAY, as in Go.
     */
    public static NetFD dial(SocketAddress remote, long timeoutNanos) throws IOException {
        NetFD fd = socket(SockAddr.family(remote), Sys.SOCK_STREAM);
        try {
            if (timeoutNanos > 0) {
                fd.pd.setDeadline(PollDesc.MODE_WRITE, System.nanoTime() + timeoutNanos);
            }
            if (!fd.connectStart(remote)) {
                do {
                    fd.check(fd.pd.await(PollDesc.MODE_WRITE));
                } while (!fd.connectFinish());
            }
            fd.pd.clearDeadline(PollDesc.MODE_WRITE);
            return fd;
        } catch (IOException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** {@link #dial} as a future completed on {@code executor}. */
    public static CompletableFuture<NetFD> dialAsync(SocketAddress remote, long timeoutNanos, Executor executor) {
        NetFD fd;
        try {
            fd = socket(SockAddr.family(remote), Sys.SOCK_STREAM);
            if (timeoutNanos > 0) {
                fd.pd.setDeadline(PollDesc.MODE_WRITE, System.nanoTime() + timeoutNanos);
            }
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return new AsyncOp.Connect(fd, remote, executor).start();
    }

    /** A connected pair of Unix sockets of {@code sotype} (tests, in-process pipes). */
    public static NetFD[] socketPair(int sotype) throws IOException {
        try (Memory sv = new Memory(8)) {
            if (LibC.socketpair(Sys.AF_UNIX, sotype | Sys.SOCK_NONBLOCK | Sys.SOCK_CLOEXEC, 0, Pointer.nativeValue(sv)) < 0) {
                throw Errno.exception("socketpair", Errno.last());
            }
            return pair(sv, Sys.AF_UNIX, sotype, true);
        }
    }

    /** A pipe: element 0 is the read end, 1 the write end. */
    public static NetFD[] pipe() throws IOException {
        try (Memory fds = new Memory(8)) {
            if (LibC.pipe2(Pointer.nativeValue(fds), Sys.O_NONBLOCK | Sys.O_CLOEXEC) < 0) {
                throw Errno.exception("pipe2", Errno.last());
            }
            return pair(fds, 0, Sys.SOCK_STREAM, false);
        }
    }

    private static NetFD[] pair(Memory fds, int family, int sotype, boolean socket) throws IOException {
        int a = fds.getInt(0);
        int b = fds.getInt(4);
        NetFD first;
        try {
            first = new NetFD(a, family, sotype, socket, null);
        } catch (IOException e) {
            LibC.close(b);
            throw e;
        }
        try {
            return new NetFD[] {first, new NetFD(b, family, sotype, socket, null)};
        } catch (IOException e) {
            first.close();
            throw e;
        }
    }

    private void bind(SocketAddress local) throws IOException {
        try (Memory sa = new Memory(SockAddr.STORAGE_SIZE)) {
            int len = SockAddr.encode(local, family, sa);
            if (LibC.bind(sysfd, Pointer.nativeValue(sa), len) < 0) {
                throw Errno.exception("bind", Errno.last());
            }
        }
    }

    // ---- identity --------------------------------------------------------------------------------

    public int fd() {
        return sysfd;
    }

    public int family() {
        return family;
    }

    public boolean isStream() {
        return sotype == Sys.SOCK_STREAM;
    }

    public boolean isOpen() {
        return !mu.isClosed();
    }

    /** The descriptor's readiness state; for callers that wait themselves (net-kt). */
    public PollDesc pollDesc() {
        return pd;
    }

    /** The descriptor's lock; for callers that take it themselves (net-kt). */
    public FdMutex mutex() {
        return mu;
    }

    public SocketAddress localAddress() throws IOException {
        SocketAddress a = localAddress;
        if (a == null) {
            a = name(true);
            localAddress = a;
        }
        return a;
    }

    /** The peer's address, or null if not connected. */
    public SocketAddress remoteAddress() throws IOException {
        SocketAddress a = remoteAddress;
        if (a == null && socket) {
            try {
                a = name(false);
            } catch (SocketException notConnected) {
                return null;
            }
            remoteAddress = a;
        }
        return a;
    }

    private SocketAddress name(boolean local) throws IOException {
        incref();
        try (Memory sa = new Memory(SockAddr.STORAGE_SIZE + 4)) {
            long addr = Pointer.nativeValue(sa);
            sa.setInt(ADDRLEN_OFFSET, SockAddr.STORAGE_SIZE);
            int r = local ? LibC.getsockname(sysfd, addr, addr + ADDRLEN_OFFSET)
                          : LibC.getpeername(sysfd, addr, addr + ADDRLEN_OFFSET);
            if (r < 0) {
                throw Errno.exception(local ? "getsockname" : "getpeername", Errno.last());
            }
            SocketAddress decoded = SockAddr.decode(sa, sa.getInt(ADDRLEN_OFFSET));
            return decoded != null ? decoded : UnixDomainSocketAddress.of("");
        } finally {
            decref();
        }
    }

    // ---- blocking operations ---------------------------------------------------------------------

    /** Reads into {@code dst}; returns the bytes read, or -1 at end of stream. */
    public int read(ByteBuffer dst) throws IOException {
        // hot path: no allocation
        readLock();
        try {
            if (!dst.hasRemaining()) {
                return 0;
            }
            check(pd.prepare(PollDesc.MODE_READ));
            for (;;) {
                int n = tryRead(dst);
                if (n != EAGAIN) {
                    return n;
                }
                check(pd.await(PollDesc.MODE_READ));
            }
        } finally {
            readUnlock();
        }
    }

    /** Writes all of {@code src} (Go's FD.Write loops until done); returns the bytes written. */
    public int write(ByteBuffer src) throws IOException {
        // hot path: no allocation
        writeLock();
        try {
            int total = 0;
            check(pd.prepare(PollDesc.MODE_WRITE));
            while (src.hasRemaining()) {
                int n = tryWrite(src);
                if (n == EAGAIN) {
                    check(pd.await(PollDesc.MODE_WRITE));
                    continue;
                }
                total += n;
            }
            return total;
        } finally {
            writeUnlock();
        }
    }

    /** Gathering write of every byte remaining in {@code srcs}; returns the bytes written. */
    public long write(ByteBuffer[] srcs) throws IOException {
        writeLock();
        try {
            long total = 0;
            check(pd.prepare(PollDesc.MODE_WRITE));
            while (remaining(srcs) > 0) {
                long n = tryWritev(srcs);
                if (n == EAGAIN) {
                    check(pd.await(PollDesc.MODE_WRITE));
                    continue;
                }
                total += n;
            }
            return total;
        } finally {
            writeUnlock();
        }
    }

    /** Scattering read; returns the bytes read, or -1 at end of stream. */
    public long read(ByteBuffer[] dsts) throws IOException {
        readLock();
        try {
            if (remaining(dsts) == 0) {
                return 0;
            }
            check(pd.prepare(PollDesc.MODE_READ));
            for (;;) {
                long n = tryReadv(dsts);
                if (n != EAGAIN) {
                    return n;
                }
                check(pd.await(PollDesc.MODE_READ));
            }
        } finally {
            readUnlock();
        }
    }

    /** Accepts a connection; the new descriptor is non-blocking and registered with the poller. */
    public NetFD accept() throws IOException {
        readLock();
        try {
            check(pd.prepare(PollDesc.MODE_READ));
            for (;;) {
                NetFD c = tryAccept();
                if (c != null) {
                    return c;
                }
                check(pd.await(PollDesc.MODE_READ));
            }
        } finally {
            readUnlock();
        }
    }

    /** Receives one datagram into {@code dst}; returns its sender (like DatagramChannel.receive). */
    public SocketAddress recvFrom(ByteBuffer dst) throws IOException {
        readLock();
        try {
            check(pd.prepare(PollDesc.MODE_READ));
            for (;;) {
                SocketAddress from = tryRecvFrom(dst);
                if (from != null) {
                    return from;
                }
                check(pd.await(PollDesc.MODE_READ));
            }
        } finally {
            readUnlock();
        }
    }

    /** Sends {@code src} as one datagram to {@code to}; returns the bytes sent. */
    public int sendTo(ByteBuffer src, SocketAddress to) throws IOException {
        writeLock();
        try {
            check(pd.prepare(PollDesc.MODE_WRITE));
            for (;;) {
                int n = trySendTo(src, to);
                if (n != EAGAIN) {
                    return n;
                }
                check(pd.await(PollDesc.MODE_WRITE));
            }
        } finally {
            writeUnlock();
        }
    }

    // ---- CompletableFuture operations --------------------------------------------------------------

    /** The executor async completions run on unless one is given. */
    public static Executor defaultExecutor() {
        return ForkJoinPool.commonPool();
    }

    public CompletableFuture<Integer> readAsync(ByteBuffer dst, Executor executor) {
        return new AsyncOp.Read(this, dst, executor).start();
    }

    public CompletableFuture<Integer> writeAsync(ByteBuffer src, Executor executor) {
        return new AsyncOp.Write(this, src, executor).start();
    }

    public CompletableFuture<NetFD> acceptAsync(Executor executor) {
        return new AsyncOp.Accept(this, executor).start();
    }

    public CompletableFuture<SocketAddress> recvFromAsync(ByteBuffer dst, Executor executor) {
        return new AsyncOp.RecvFrom(this, dst, executor).start();
    }

    public CompletableFuture<Integer> sendToAsync(ByteBuffer src, SocketAddress to, Executor executor) {
        return new AsyncOp.SendTo(this, src, to, executor).start();
    }

    // ---- single attempts (caller holds the direction's lock or reference) ----------------------

    /**
     * One read attempt: bytes read, {@link #EOF}, or {@link #EAGAIN}. Retries EINTR; throws on any
     * other error. A heap buffer is filled through the thread's bounce buffer.
     */
    public int tryRead(ByteBuffer dst) throws IOException {
        // hot path: no allocation
        int pos = dst.position();
        int len = dst.limit() - pos;
        if (dst.isDirect()) {
            int n = tryRead(readAddresses.addressOf(dst) + pos, len);
            if (n > 0) {
                dst.position(pos + n);
            }
            return n;
        }
        NativeBuffers.Bounce b = NativeBuffers.bounce();
        int n = tryRead(b.address, Math.min(len, NativeBuffers.BOUNCE_SIZE));
        if (n > 0) {
            dst.put(pos, b.buffer, 0, n);
            dst.position(pos + n);
        }
        return n;
    }

    /** One read attempt into native memory at {@code address}. */
    public int tryRead(long address, int len) throws IOException {
        // hot path: no allocation
        for (;;) {
            long n = LibC.read(sysfd, address, len);
            if (n > 0) {
                return (int) n;
            }
            if (n == 0) {
                return len == 0 || sotype != Sys.SOCK_STREAM ? 0 : EOF;
            }
            int errno = Errno.last();
            if (errno == Errno.EAGAIN) {
                return EAGAIN;
            }
            if (errno != Errno.EINTR) {
                throw Errno.exception("read", errno);
            }
        }
    }

    /** One write attempt: bytes written (possibly fewer than remaining) or {@link #EAGAIN}. */
    public int tryWrite(ByteBuffer src) throws IOException {
        // hot path: no allocation
        int pos = src.position();
        int len = src.limit() - pos;
        int n;
        if (src.isDirect()) {
            n = tryWrite(writeAddresses.addressOf(src) + pos, len);
        } else {
            NativeBuffers.Bounce b = NativeBuffers.bounce();
            int chunk = Math.min(len, NativeBuffers.BOUNCE_SIZE);
            b.buffer.put(0, src, pos, chunk);
            n = tryWrite(b.address, chunk);
        }
        if (n > 0) {
            src.position(pos + n);
        }
        return n;
    }

    /** One write attempt from native memory at {@code address}. */
    public int tryWrite(long address, int len) throws IOException {
        // hot path: no allocation
        for (;;) {
            long n = socket ? LibC.send(sysfd, address, len, Sys.MSG_NOSIGNAL) : LibC.write(sysfd, address, len);
            if (n >= 0) {
                return (int) n;
            }
            int errno = Errno.last();
            if (errno == Errno.EAGAIN) {
                return EAGAIN;
            }
            if (errno != Errno.EINTR) {
                throw Errno.exception("write", errno);
            }
        }
    }

    /** One gathering write attempt; advances the buffers; bytes written or {@link #EAGAIN}. */
    public long tryWritev(ByteBuffer[] srcs) throws IOException {
        if (!allDirect(srcs)) {
            for (ByteBuffer b : srcs) {
                if (b.hasRemaining()) {
                    return tryWrite(b);
                }
            }
            return 0;
        }
        Memory m = writeScratch();
        long iov = Pointer.nativeValue(m);
        int cnt = fillIovecs(m, srcs);
        for (;;) {
            long n;
            if (socket) {
                long msg = iov + (long) IOV_MAX_PER_CALL * Sys.IOVEC_SIZE;
                m.setMemory((long) IOV_MAX_PER_CALL * Sys.IOVEC_SIZE, Sys.MSGHDR_SIZE, (byte) 0);
                m.setLong((long) IOV_MAX_PER_CALL * Sys.IOVEC_SIZE + Sys.MSGHDR_IOV_OFFSET, iov);
                m.setLong((long) IOV_MAX_PER_CALL * Sys.IOVEC_SIZE + Sys.MSGHDR_IOVLEN_OFFSET, cnt);
                n = LibC.sendmsg(sysfd, msg, Sys.MSG_NOSIGNAL);
            } else {
                n = LibC.writev(sysfd, iov, cnt);
            }
            if (n >= 0) {
                advance(srcs, n);
                return n;
            }
            int errno = Errno.last();
            if (errno == Errno.EAGAIN) {
                return EAGAIN;
            }
            if (errno != Errno.EINTR) {
                throw Errno.exception("writev", errno);
            }
        }
    }

    /** One scattering read attempt; bytes read, {@link #EOF} or {@link #EAGAIN}. */
    public long tryReadv(ByteBuffer[] dsts) throws IOException {
        if (!allDirect(dsts)) {
            for (ByteBuffer b : dsts) {
                if (b.hasRemaining()) {
                    return tryRead(b);
                }
            }
            return 0;
        }
        Memory m = readScratchIov();
        int cnt = fillIovecs(m, dsts);
        for (;;) {
            long n = LibC.readv(sysfd, Pointer.nativeValue(m), cnt);
            if (n > 0) {
                advance(dsts, n);
                return n;
            }
            if (n == 0) {
                return sotype == Sys.SOCK_STREAM ? EOF : 0;
            }
            int errno = Errno.last();
            if (errno == Errno.EAGAIN) {
                return EAGAIN;
            }
            if (errno != Errno.EINTR) {
                throw Errno.exception("readv", errno);
            }
        }
    }

    /** One accept attempt: the connection, or null on EAGAIN. ECONNABORTED and EINTR are retried. */
    public NetFD tryAccept() throws IOException {
        Memory sa = readScratch();
        long addr = Pointer.nativeValue(sa);
        for (;;) {
            sa.setInt(ADDRLEN_OFFSET, SockAddr.STORAGE_SIZE);
            int nfd = LibC.accept4(sysfd, addr, addr + ADDRLEN_OFFSET, Sys.SOCK_NONBLOCK | Sys.SOCK_CLOEXEC);
            if (nfd >= 0) {
                SocketAddress remote = SockAddr.decode(sa, sa.getInt(ADDRLEN_OFFSET));
                NetFD c = new NetFD(nfd, family, sotype, true, remote);
                if (family != Sys.AF_UNIX) {
                    c.setNoDelay(true);
                }
                return c;
            }
            int errno = Errno.last();
            if (errno == Errno.EAGAIN) {
                return null;
            }
            if (errno != Errno.EINTR && errno != Errno.ECONNABORTED) {
                throw Errno.exception("accept", errno);
            }
        }
    }

    /** One datagram receive attempt: the sender, or null on EAGAIN. */
    public SocketAddress tryRecvFrom(ByteBuffer dst) throws IOException {
        Memory sa = readScratch();
        long addr = Pointer.nativeValue(sa);
        int pos = dst.position();
        int len = dst.limit() - pos;
        boolean direct = dst.isDirect();
        NativeBuffers.Bounce b = direct ? null : NativeBuffers.bounce();
        long buf = direct ? readAddresses.addressOf(dst) + pos : b.address;
        int cap = direct ? len : Math.min(len, NativeBuffers.BOUNCE_SIZE);
        for (;;) {
            sa.setInt(ADDRLEN_OFFSET, SockAddr.STORAGE_SIZE);
            long n = LibC.recvfrom(sysfd, buf, cap, 0, addr, addr + ADDRLEN_OFFSET);
            if (n >= 0) {
                if (!direct) {
                    dst.put(pos, b.buffer, 0, (int) n);
                }
                dst.position(pos + (int) n);
                return SockAddr.decode(sa, sa.getInt(ADDRLEN_OFFSET));
            }
            int errno = Errno.last();
            if (errno == Errno.EAGAIN) {
                return null;
            }
            if (errno != Errno.EINTR) {
                throw Errno.exception("recvfrom", errno);
            }
        }
    }

    /** One datagram send attempt: bytes sent or {@link #EAGAIN}. */
    public int trySendTo(ByteBuffer src, SocketAddress to) throws IOException {
        Memory m = writeScratch();
        long sa = Pointer.nativeValue(m) + (long) IOV_MAX_PER_CALL * Sys.IOVEC_SIZE + Sys.MSGHDR_SIZE;
        int salen = SockAddr.encode(to, family, m.share((long) IOV_MAX_PER_CALL * Sys.IOVEC_SIZE + Sys.MSGHDR_SIZE));
        int pos = src.position();
        int len = src.limit() - pos;
        long buf;
        if (src.isDirect()) {
            buf = writeAddresses.addressOf(src) + pos;
        } else {
            if (len > NativeBuffers.BOUNCE_SIZE) {
                throw new SocketException("datagram of " + len + " bytes is larger than " + NativeBuffers.BOUNCE_SIZE);
            }
            NativeBuffers.Bounce b = NativeBuffers.bounce();
            b.buffer.put(0, src, pos, len);
            buf = b.address;
        }
        for (;;) {
            long n = LibC.sendto(sysfd, buf, len, Sys.MSG_NOSIGNAL, sa, salen);
            if (n >= 0) {
                src.position(pos + (int) n);
                return (int) n;
            }
            int errno = Errno.last();
            if (errno == Errno.EAGAIN) {
                return EAGAIN;
            }
            if (errno != Errno.EINTR) {
                throw Errno.exception("sendto", errno);
            }
        }
    }

    /** Starts a connect: true if it completed at once, false if the caller must wait for write readiness. */
    public boolean connectStart(SocketAddress remote) throws IOException {
        try (Memory sa = new Memory(SockAddr.STORAGE_SIZE)) {
            int len = SockAddr.encode(remote, family, sa);
            if (LibC.connect(sysfd, Pointer.nativeValue(sa), len) == 0) {
                connected(remote);
                return true;
            }
            int errno = Errno.last();
            switch (errno) {
                case Errno.EINPROGRESS:
                case Errno.EALREADY:
                case Errno.EINTR:
                    remoteAddress = remote;
                    return false;
                case Errno.EISCONN:
                    connected(remote);
                    return true;
                default:
                    throw Errno.exception("connect", errno);
            }
        }
    }

    /**
     * After write readiness: true once connected, false if the wake-up was spurious (wait again),
     * or the connect's error (Go's netFD.connect loop over SO_ERROR and getpeername).
     */
    public boolean connectFinish() throws IOException {
        int err = getIntOption(Sys.SOL_SOCKET, Sys.SO_ERROR);
        switch (err) {
            case 0:
                break;
            case Errno.EINPROGRESS:
            case Errno.EALREADY:
            case Errno.EINTR:
                return false;
            default:
                throw Errno.exception("connect", err);
        }
        try (Memory sa = new Memory(SockAddr.STORAGE_SIZE + 4)) {
            long addr = Pointer.nativeValue(sa);
            sa.setInt(ADDRLEN_OFFSET, SockAddr.STORAGE_SIZE);
            if (LibC.getpeername(sysfd, addr, addr + ADDRLEN_OFFSET) < 0) {
                int errno = Errno.last();
                if (errno == Errno.ENOTCONN) {
                    return false;
                }
                throw Errno.exception("getpeername", errno);
            }
        }
        connected(remoteAddress);
        return true;
    }

    private void connected(SocketAddress remote) throws IOException {
        remoteAddress = remote;
        if (family != Sys.AF_UNIX) {
            setNoDelay(true);
        }
    }

    // ---- deadlines -------------------------------------------------------------------------------

    /** Absolute read deadline in {@link System#nanoTime()} time. */
    public void setReadDeadline(long deadlineNanos) throws IOException {
        deadline(PollDesc.MODE_READ, true, deadlineNanos);
    }

    public void setWriteDeadline(long deadlineNanos) throws IOException {
        deadline(PollDesc.MODE_WRITE, true, deadlineNanos);
    }

    public void setDeadline(long deadlineNanos) throws IOException {
        deadline(PollDesc.MODE_READ | PollDesc.MODE_WRITE, true, deadlineNanos);
    }

    public void clearReadDeadline() throws IOException {
        deadline(PollDesc.MODE_READ, false, 0);
    }

    public void clearWriteDeadline() throws IOException {
        deadline(PollDesc.MODE_WRITE, false, 0);
    }

    public void clearDeadline() throws IOException {
        deadline(PollDesc.MODE_READ | PollDesc.MODE_WRITE, false, 0);
    }

    private void deadline(int mode, boolean set, long deadlineNanos) throws IOException {
        incref();
        try {
            if (set) {
                pd.setDeadline(mode, deadlineNanos);
            } else {
                pd.clearDeadline(mode);
            }
        } finally {
            decref();
        }
    }

    // ---- options and shutdown --------------------------------------------------------------------

    public void setNoDelay(boolean on) throws IOException {
        setIntOption(Sys.IPPROTO_TCP, Sys.TCP_NODELAY, on ? 1 : 0);
    }

    public void setKeepAlive(boolean on) throws IOException {
        setIntOption(Sys.SOL_SOCKET, Sys.SO_KEEPALIVE, on ? 1 : 0);
    }

    public void setReuseAddress(boolean on) throws IOException {
        setIntOption(Sys.SOL_SOCKET, Sys.SO_REUSEADDR, on ? 1 : 0);
    }

    public void setReusePort(boolean on) throws IOException {
        setIntOption(Sys.SOL_SOCKET, Sys.SO_REUSEPORT, on ? 1 : 0);
    }

    public void setReceiveBufferSize(int bytes) throws IOException {
        setIntOption(Sys.SOL_SOCKET, Sys.SO_RCVBUF, bytes);
    }

    public void setSendBufferSize(int bytes) throws IOException {
        setIntOption(Sys.SOL_SOCKET, Sys.SO_SNDBUF, bytes);
    }

    /** SO_LINGER: {@code seconds < 0} turns lingering off; 0 makes close send a reset. */
    public void setLinger(int seconds) throws IOException {
        incref();
        try (Memory v = new Memory(8)) {
            v.setInt(0, seconds >= 0 ? 1 : 0);
            v.setInt(4, Math.max(seconds, 0));
            if (LibC.setsockopt(sysfd, Sys.SOL_SOCKET, Sys.SO_LINGER, Pointer.nativeValue(v), 8) < 0) {
                throw Errno.exception("setsockopt", Errno.last());
            }
        } finally {
            decref();
        }
    }

    /** SO_LINGER seconds, or -1 when off. */
    public int getLinger() throws IOException {
        incref();
        try (Memory v = new Memory(12)) {
            v.setInt(8, 8);
            long addr = Pointer.nativeValue(v);
            if (LibC.getsockopt(sysfd, Sys.SOL_SOCKET, Sys.SO_LINGER, addr, addr + 8) < 0) {
                throw Errno.exception("getsockopt", Errno.last());
            }
            return v.getInt(0) != 0 ? v.getInt(4) : -1;
        } finally {
            decref();
        }
    }

    public void setIntOption(int level, int name, int value) throws IOException {
        incref();
        try (Memory v = new Memory(4)) {
            v.setInt(0, value);
            if (LibC.setsockopt(sysfd, level, name, Pointer.nativeValue(v), 4) < 0) {
                throw Errno.exception("setsockopt", Errno.last());
            }
        } finally {
            decref();
        }
    }

    public int getIntOption(int level, int name) throws IOException {
        incref();
        try (Memory v = new Memory(8)) {
            v.setInt(4, 4);
            long addr = Pointer.nativeValue(v);
            if (LibC.getsockopt(sysfd, level, name, addr, addr + 4) < 0) {
                throw Errno.exception("getsockopt", Errno.last());
            }
            return v.getInt(0);
        } finally {
            decref();
        }
    }

    /** Half-close: no more reads ({@code SHUT_RD}). */
    public void shutdownInput() throws IOException {
        shutdown(Sys.SHUT_RD);
    }

    /** Half-close: sends FIN after queued data ({@code SHUT_WR}). */
    public void shutdownOutput() throws IOException {
        shutdown(Sys.SHUT_WR);
    }

    private void shutdown(int how) throws IOException {
        incref();
        try {
            if (LibC.shutdown(sysfd, how) < 0) {
                throw Errno.exception("shutdown", Errno.last());
            }
        } finally {
            decref();
        }
    }

    // ---- close and locking -------------------------------------------------------------------------

    /** Closes the descriptor (idempotent); calls blocked on it fail with AsynchronousCloseException. */
    @Override
    public void close() {
        if (!mu.increfAndClose()) {
            return;
        }
        pd.evict();
        if (mu.decref()) {
            destroy();
        }
    }

    private void destroy() {
        readAddresses.clear();
        writeAddresses.clear();
        netpoll.close(pd);
        LibC.close(sysfd);
    }

    /** Takes the read lock or throws the close error a caller expects. */
    public void readLock() throws IOException {
        lockResult(mu.rwlock(true));
    }

    public void readUnlock() {
        if (mu.rwunlock(true)) {
            destroy();
        }
    }

    public void writeLock() throws IOException {
        lockResult(mu.rwlock(false));
    }

    public void writeUnlock() {
        if (mu.rwunlock(false)) {
            destroy();
        }
    }

    /** Holds the descriptor open for an operation that needs no lock. */
    public void incref() throws ClosedChannelException {
        if (!mu.incref()) {
            throw new ClosedChannelException();
        }
    }

    public void decref() {
        if (mu.decref()) {
            destroy();
        }
    }

    static void lockResult(int r) throws ClosedChannelException {
        if (r == FdMutex.CLOSED_BEFORE) {
            throw new ClosedChannelException();
        }
        if (r == FdMutex.CLOSED_WHILE_QUEUED) {
            throw new AsynchronousCloseException();
        }
    }

    /**
     * Turns a {@link PollDesc} result into the exception a caller expects: close during the call
     * → {@link AsynchronousCloseException}; deadline → {@link DeadlineExceededException}.
     */
    public void check(int pollResult) throws IOException {
        if (pollResult == PollDesc.OK) {
            return;
        }
        throw pollException(pollResult);
    }

    static IOException pollException(int pollResult) {
        switch (pollResult) {
            case PollDesc.ERR_CLOSING:
                return new AsynchronousCloseException();
            case PollDesc.ERR_TIMEOUT:
                return new DeadlineExceededException();
            case PollDesc.ERR_NOT_POLLABLE:
                return new SocketException("the poller reported an error on the descriptor");
            case PollDesc.ERR_INTERRUPTED:
                return new InterruptedIOException("interrupted while waiting for I/O readiness");
            default:
                return new IOException("unexpected poll result " + pollResult);
        }
    }

    // ---- scratch memory and buffer helpers ---------------------------------------------------------

    private Memory readScratch() {
        Memory m = readScratch;
        if (m == null) {
            m = new Memory(Math.max(SockAddr.STORAGE_SIZE + 8, (long) IOV_MAX_PER_CALL * Sys.IOVEC_SIZE));
            readScratch = m;
        }
        return m;
    }

    private Memory readScratchIov() {
        return readScratch();
    }

    private Memory writeScratch() {
        Memory m = writeScratch;
        if (m == null) {
            m = new Memory((long) IOV_MAX_PER_CALL * Sys.IOVEC_SIZE + Sys.MSGHDR_SIZE + SockAddr.STORAGE_SIZE);
            writeScratch = m;
        }
        return m;
    }

    private int fillIovecs(Memory m, ByteBuffer[] bufs) {
        int cnt = 0;
        for (ByteBuffer b : bufs) {
            if (!b.hasRemaining()) {
                continue;
            }
            if (cnt == IOV_MAX_PER_CALL) {
                break;
            }
            long off = (long) cnt * Sys.IOVEC_SIZE;
            m.setLong(off, NativeBuffers.address(b) + b.position());
            m.setLong(off + 8, b.remaining());
            cnt++;
        }
        return cnt;
    }

    private static void advance(ByteBuffer[] bufs, long n) {
        for (ByteBuffer b : bufs) {
            if (n <= 0) {
                return;
            }
            int step = (int) Math.min(n, b.remaining());
            b.position(b.position() + step);
            n -= step;
        }
    }

    private static boolean allDirect(ByteBuffer[] bufs) {
        for (ByteBuffer b : bufs) {
            if (!b.isDirect()) {
                return false;
            }
        }
        return true;
    }

    static long remaining(ByteBuffer[] bufs) {
        long r = 0;
        for (ByteBuffer b : bufs) {
            r += b.remaining();
        }
        return r;
    }

    @Override
    public String toString() {
        return "NetFD[fd=" + sysfd + (mu.isClosed() ? ", closed" : "") + "]";
    }
}
