package io.netpoll.poller.fd;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.DeadlineExceededException;
import io.netpoll.poller.Netpoll;
import io.netpoll.poller.PollDesc;
import io.netpoll.poller.sys.SockAddrFormat;
import io.netpoll.poller.sys.Sys;

import java.io.Closeable;
import java.io.IOException;
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
 * A non-blocking socket (or pipe end) driven by the {@link Netpoll} (Go's netFD + poll.FD). This
 * file is the type users see and its lifetime; the rest of NetFD lives beside it, one idea a file:
 * <ul>
 *   <li>{@link SocketFactory}: how a NetFD comes to exist (socket, listen, dial, socketPair, pipe);</li>
 *   <li>{@link Syscalls}: the single-attempt syscalls, the {@code try*} primitives;</li>
 *   <li>{@link IoOp}: the I/O loop over them, once for every way of waiting: {@link ThreadOp}
 *       parks the calling thread, {@link FutureOp} completes a CompletableFuture;</li>
 *   <li>{@link SocketOptions}: options and shutdown;</li>
 *   <li>{@link SocketLayer}: the OS under all of them, chosen once per process.</li>
 * </ul>
 *
 * <h2>The I/O loop</h2>
 * Every operation is: take the direction's lock in the {@link FdMutex} → {@link PollDesc#prepare}
 * → try the syscall → on EAGAIN wait on the {@link PollDesc} → try again. EINTR is retried at once;
 * EAGAIN and EINTR never become exceptions. The loop is written once ({@link IoOp}); how
 * a caller waits is the only difference: blocking calls park the calling thread (cheap on virtual
 * threads), {@link CompletableFuture} calls ({@code *Async}) complete on an executor, never on the
 * poller, and net-kt's coroutines suspend. The bare {@code try*} primitives make one attempt.
 *
 * <h2>Close</h2>
 * {@link #close} marks the mutex closed, evicts waiters (their calls fail with
 * {@link AsynchronousCloseException}) and closes the OS fd only when the last call in flight has
 * left, so an fd number is never reused under a running syscall. Calls made after close fail with
 * {@link ClosedChannelException}; a second close does nothing.
 *
 * <h2>Interrupts</h2>
 * A blocking call made by an interrupted thread, or interrupted while it waits (for data, buffer
 * space, a connection or the direction's lock), fails with {@link java.io.InterruptedIOException}
 * and keeps the interrupt status; it takes nothing, so the bytes stay for the next call, and the
 * descriptor stays open (unlike an {@code InterruptibleChannel}, which closes).
 *
 * <h2>Errors</h2>
 * A passed deadline is a {@link DeadlineExceededException}; errno values become the JVM's socket
 * exceptions (through the socket layer, with the OS's own text); socket writes never raise SIGPIPE
 * (MSG_NOSIGNAL, or SO_NOSIGPIPE on macOS), so a closed peer is an exception. A pipe has no such
 * flag: a write to one whose reader closed raises SIGPIPE, which the JVM's own handler ignores, and
 * fails with EPIPE, the same exception.
 */
public final class NetFD implements Closeable {
    /** {@link #tryRead}: would block. */
    public static final int EAGAIN = -2;
    /** {@link #tryRead}: end of stream. */
    public static final int EOF = -1;

    final SocketLayer layer;
    final int sysfd;
    /** Linux numbering ({@code Sys.AF_*}), whatever the OS; the layer translates. */
    final int family;
    final int sotype;
    final boolean socket;
    final PollDesc pd;
    final Syscalls syscalls;
    final FdMutex mu = new FdMutex();
    private final Netpoll netpoll;
    private volatile SocketAddress localAddress;
    volatile SocketAddress remoteAddress;

    NetFD(SocketLayer layer, int sysfd, int family, int sotype, boolean socket, SocketAddress remote) throws IOException {
        this.layer = layer;
        this.sysfd = sysfd;
        this.family = family;
        this.sotype = sotype;
        this.socket = socket;
        this.netpoll = Netpoll.get();
        this.remoteAddress = remote;
        try {
            this.pd = netpoll.open(sysfd);
        } catch (IOException e) {
            layer.close(sysfd);
            throw e;
        }
        this.syscalls = new Syscalls(layer, sysfd, family, sotype, socket, pd);
    }

    // ---- construction (see SocketFactory) -------------------------------------------------------------------

    /** A new non-blocking, close-on-exec socket of {@code family} (Sys.AF_*) and {@code sotype}. */
    public static NetFD socket(int family, int sotype) throws IOException {
        return SocketFactory.socket(SocketLayer.get(), family, sotype);
    }

    /**
     * A listening stream socket bound to {@code local} (port 0 picks a free port). SO_REUSEADDR is
     * on for TCP, as in Go (except on Windows, as in Go); {@code reusePort} adds SO_REUSEPORT.
     */
    public static NetFD listen(SocketAddress local, int backlog, boolean reusePort) throws IOException {
        return SocketFactory.listen(SocketLayer.get(), local, backlog, reusePort);
    }

    /** A datagram socket bound to {@code local}. */
    public static NetFD bindDatagram(SocketAddress local) throws IOException {
        return SocketFactory.bindDatagram(SocketLayer.get(), local);
    }

    /**
     * Connects a new stream socket to {@code remote}, blocking the calling thread at most
     * {@code timeoutNanos} ({@code <= 0}: no limit). TCP connections get TCP_NODELAY, as in Go.
     */
    public static NetFD dial(SocketAddress remote, long timeoutNanos) throws IOException {
        return SocketFactory.dial(SocketLayer.get(), remote, timeoutNanos);
    }

    /**
     * {@link #dial} as a future completed on {@code executor}. Cancelling it (or completing it from
     * outside) before the connection is made closes the socket; once made, cancel returns false and
     * the future completes with it.
     */
    public static CompletableFuture<NetFD> dialAsync(SocketAddress remote, long timeoutNanos, Executor executor) {
        return SocketFactory.dialAsync(SocketLayer.get(), remote, timeoutNanos, executor);
    }

    /** A connected pair of Unix sockets of {@code sotype} (tests, in-process pipes). */
    public static NetFD[] socketPair(int sotype) throws IOException {
        return SocketFactory.socketPair(SocketLayer.get(), sotype);
    }

    /** A pipe: element 0 is the read end, 1 the write end. */
    public static NetFD[] pipe() throws IOException {
        return SocketFactory.pipe(SocketLayer.get());
    }

    // ---- identity --------------------------------------------------------------------------------

    public int fd() {
        return sysfd;
    }

    public int family() {
        return family;
    }

    public boolean isOpen() {
        return !mu.isClosed();
    }

    /** The descriptor's readiness state; for callers that wait themselves (net-kt). */
    public PollDesc pollDesc() {
        return pd;
    }

    public SocketAddress localAddress() throws IOException {
        SocketAddress a = localAddress;
        if (a == null) {
            a = name(true);
            localAddress = a;
        }
        return a;
    }

    /** The local address if something has asked for it already; null otherwise (no system call). */
    SocketAddress cachedLocalAddress() {
        return localAddress;
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

    /** A connect completed (Go's netFD.connect, then setAddr): TCP connections get TCP_NODELAY, as in Go. */
    void connected(SocketAddress remote) throws IOException {
        remoteAddress = remote;
        if (family != Sys.AF_UNIX) {
            setNoDelay(true);
        }
    }

    /** getsockname / getpeername (Go's netFD.setAddr). */
    private SocketAddress name(boolean local) throws IOException {
        incref();
        try (Memory sa = new Memory(SockAddrFormat.STORAGE_SIZE + 4)) {
            long addr = Pointer.nativeValue(sa);
            long lenPtr = addr + SockAddrFormat.STORAGE_SIZE;
            sa.setInt(SockAddrFormat.STORAGE_SIZE, SockAddrFormat.STORAGE_SIZE);
            int r = local ? layer.getsockname(sysfd, addr, lenPtr) : layer.getpeername(sysfd, addr, lenPtr);
            if (r < 0) {
                throw layer.exception(local ? "getsockname" : "getpeername", -r);
            }
            SocketAddress decoded = layer.sockaddr().decode(sa, sa.getInt(SockAddrFormat.STORAGE_SIZE));
            return decoded != null ? decoded : UnixDomainSocketAddress.of("");
        } finally {
            decref();
        }
    }

    // ---- blocking operations (see ThreadOp) -----------------------------------------------------------

    /** Reads into {@code dst}; returns the bytes read, or -1 at end of stream. */
    public int read(ByteBuffer dst) throws IOException {
        // hot path: no allocation
        return (int) ThreadOp.run(this, IoOp.READ, dst, null, null).count();
    }

    /** Writes all of {@code src} (Go's FD.Write loops until done); returns the bytes written. */
    public int write(ByteBuffer src) throws IOException {
        // hot path: no allocation
        return (int) ThreadOp.run(this, IoOp.WRITE, src, null, null).count();
    }

    /**
     * Blocks until a read would not block (data queued, end of stream, or a socket error), reading
     * nothing: a connection can wait for its next request without holding a buffer. An error already
     * pending is thrown (the probe takes it from the kernel); one that arrives during the wait is
     * left for the next read. The read lock is held meanwhile, so it queues with reads; read
     * deadlines, close and interrupts apply as to {@link #read}. Sockets only: a pipe throws
     * {@link UnsupportedOperationException}. Go's {@code RawConn.Read} loop with a MSG_PEEK probe as
     * the callback.
     */
    public void awaitReadable() throws IOException {
        ThreadOp.run(this, IoOp.PEEK, null, null, null);
    }

    /** Gathering write of every byte remaining in {@code srcs}; returns the bytes written. */
    public long write(ByteBuffer[] srcs) throws IOException {
        return ThreadOp.run(this, IoOp.WRITEV, null, srcs, null).count();
    }

    /** Scattering read; returns the bytes read, or -1 at end of stream. */
    public long read(ByteBuffer[] dsts) throws IOException {
        return ThreadOp.run(this, IoOp.READV, null, dsts, null).count();
    }

    /** Accepts a connection; the new descriptor is non-blocking and registered with the poller. */
    public NetFD accept() throws IOException {
        return (NetFD) ThreadOp.run(this, IoOp.ACCEPT, null, null, null).value();
    }

    /** Receives one datagram into {@code dst}; returns its sender (like DatagramChannel.receive). */
    public SocketAddress recvFrom(ByteBuffer dst) throws IOException {
        return (SocketAddress) ThreadOp.run(this, IoOp.RECV_FROM, dst, null, null).value();
    }

    /** Sends {@code src} as one datagram to {@code to}; returns the bytes sent. */
    public int sendTo(ByteBuffer src, SocketAddress to) throws IOException {
        return (int) ThreadOp.run(this, IoOp.SEND_TO, src, null, to).count();
    }

    // ---- CompletableFuture operations (see FutureOp) ---------------------------------------------------
    //
    // Completing one of these futures from outside (cancel, complete, completeExceptionally, and so
    // orTimeout and completeOnTimeout) withdraws the operation, as cancelling a coroutine does in
    // net-kt: a waiting operation leaves the descriptor's lock queue or readiness slot, so what the
    // peer sends (or accepts) afterwards goes to the next call and the descriptor stays usable. An
    // operation caught in the middle of a system call finishes that call first: if it took
    // something, the future completes with it and the withdrawal returns false; nothing is ever
    // taken by a withdrawn operation. A write withdrawn after sending part of its buffer has sent
    // exactly the bytes before the buffer's position; a withdrawn dial closes its socket.

    /** The executor async completions run on unless one is given. */
    public static Executor defaultExecutor() {
        return ForkJoinPool.commonPool();
    }

    /**
     * {@link #read(ByteBuffer)} as a future completed on {@code executor}. Cancelling it (or completing
     * it from outside) while it waits withdraws it with nothing read: the bytes stay in the socket
     * for the next read. If a read was already under way and took bytes, cancel returns false and
     * the future completes with their count.
     */
    public CompletableFuture<Integer> readAsync(ByteBuffer dst, Executor executor) {
        return FutureOp.launch(this, IoOp.READ, dst, null, null, executor);
    }

    /**
     * {@link #write(ByteBuffer)} as a future: completes once every byte remaining in {@code src} is
     * written. Cancelled (or completed from outside) while it waits for buffer space, it writes
     * nothing more: the bytes before {@code src}'s position were sent, the rest were not.
     */
    public CompletableFuture<Integer> writeAsync(ByteBuffer src, Executor executor) {
        return FutureOp.launch(this, IoOp.WRITE, src, null, null, executor);
    }

    /**
     * {@link #write(ByteBuffer[])} as a future: completes once every byte remaining in {@code srcs} is
     * written. Withdrawn like {@link #writeAsync(ByteBuffer, Executor)}: the buffers' positions say
     * what was sent.
     */
    public CompletableFuture<Long> writeAsync(ByteBuffer[] srcs, Executor executor) {
        return FutureOp.launch(this, IoOp.WRITEV, null, srcs, null, executor);
    }

    /**
     * {@link #read(ByteBuffer[])} as a future: the bytes read, or -1 at end of stream. Withdrawn like
     * {@link #readAsync(ByteBuffer, Executor)}: a cancelled read has read nothing.
     */
    public CompletableFuture<Long> readAsync(ByteBuffer[] dsts, Executor executor) {
        return FutureOp.launch(this, IoOp.READV, null, dsts, null, executor);
    }

    /**
     * {@link #accept()} as a future. Cancelled while it waits, it accepts nothing: the next
     * connection stays queued for the next accept. If it already accepted one, cancel returns false
     * and the future completes with it (the caller owns it).
     */
    public CompletableFuture<NetFD> acceptAsync(Executor executor) {
        return FutureOp.launch(this, IoOp.ACCEPT, null, null, null, executor);
    }

    public CompletableFuture<SocketAddress> recvFromAsync(ByteBuffer dst, Executor executor) {
        return FutureOp.launch(this, IoOp.RECV_FROM, dst, null, null, executor);
    }

    public CompletableFuture<Integer> sendToAsync(ByteBuffer src, SocketAddress to, Executor executor) {
        return FutureOp.launch(this, IoOp.SEND_TO, src, null, to, executor);
    }

    // ---- single attempts (see Syscalls; caller holds the direction's lock or a reference) ---------

    /**
     * One read attempt: bytes read, {@link #EOF}, or {@link #EAGAIN}. Retries EINTR; throws on any
     * other error. A heap buffer is filled through the thread's bounce buffer.
     */
    public int tryRead(ByteBuffer dst) throws IOException {
        // hot path: no allocation
        return syscalls.read(dst);
    }

    /**
     * True if the last read on this stream returned fewer bytes than it asked for: the kernel gave
     * everything it had queued, so (with an edge-triggered backend, which reports every later
     * arrival) the next read may wait for readiness first instead of spending a syscall on EAGAIN
     * — what Netty's epoll transport does after a short read. Only a hint: false after any full
     * read, any scattering read, and on datagram sockets. Read it with the read lock held.
     */
    public boolean readDrained() {
        return syscalls.readDrained;
    }

    /**
     * One readiness probe of a socket (recv with MSG_PEEK, consuming nothing): 1 if data is queued,
     * {@link #EOF} at end of stream, {@link #EAGAIN} if a read would block. A pending socket error
     * (a reset) is thrown as a read would throw it. Sockets only (see {@link #awaitReadable}).
     */
    public int tryPeek() throws IOException {
        // hot path: no allocation
        return syscalls.peek();
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

    // ---- options and shutdown (see SocketOptions) ----------------------------------------------------

    public void setNoDelay(boolean on) throws IOException {
        setIntOption(Sys.IPPROTO_TCP, Sys.TCP_NODELAY, on ? 1 : 0);
    }

    public void setKeepAlive(boolean on) throws IOException {
        setIntOption(Sys.SOL_SOCKET, Sys.SO_KEEPALIVE, on ? 1 : 0);
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
        try {
            SocketOptions.setLinger(layer, sysfd, seconds);
        } finally {
            decref();
        }
    }

    /** SO_LINGER seconds, or -1 when off. */
    public int getLinger() throws IOException {
        incref();
        try {
            return SocketOptions.getLinger(layer, sysfd);
        } finally {
            decref();
        }
    }

    /** Sets an int option; {@code level} and {@code name} are Linux's numbers ({@code Sys.*}) on every OS. */
    public void setIntOption(int level, int name, int value) throws IOException {
        incref();
        try {
            SocketOptions.setInt(layer, sysfd, level, name, value);
        } finally {
            decref();
        }
    }

    /** Reads an int option, numbered as for {@link #setIntOption}; SO_ERROR's value is a Linux errno. */
    public int getIntOption(int level, int name) throws IOException {
        incref();
        try {
            return SocketOptions.getInt(layer, sysfd, level, name);
        } finally {
            decref();
        }
    }

    /** Half-close: no more reads ({@code SHUT_RD}). */
    public void shutdownInput() throws IOException {
        incref();
        try {
            SocketOptions.shutdown(layer, sysfd, Sys.SHUT_RD);
        } finally {
            decref();
        }
    }

    /** Half-close: sends FIN after queued data ({@code SHUT_WR}). */
    public void shutdownOutput() throws IOException {
        incref();
        try {
            SocketOptions.shutdown(layer, sysfd, Sys.SHUT_WR);
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

    /** Go's FD.destroy: runs once, when the last reference leaves after close. */
    private void destroy() {
        syscalls.clear();
        netpoll.close(pd);
        layer.close(sysfd);
    }

    /** Releases the read lock an {@link IoOp} took; destroys the fd if it was the last reference after close. */
    void readUnlock() {
        if (mu.rwunlock(true)) {
            destroy();
        }
    }

    void writeUnlock() {
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
            default:
                return new IOException("unexpected poll result " + pollResult);
        }
    }

    @Override
    public String toString() {
        return "NetFD[fd=" + sysfd + (mu.isClosed() ? ", closed" : "") + "]";
    }
}
