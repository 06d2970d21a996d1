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
 * A non-blocking socket (or pipe end) driven by the {@link Netpoll} (Go's netFD + poll.FD). This
 * file is the type users see and its lifetime; the rest of NetFD lives beside it, one idea a file:
 * <ul>
 *   <li>{@link Open}: how a NetFD comes to exist (socket, listen, dial, socketPair, pipe);</li>
 *   <li>{@link Attempts}: the single-attempt syscalls, the {@code try*} primitives;</li>
 *   <li>{@link Blocking}: the blocking loops over them; {@link AsyncOp}: the CompletableFuture loops;</li>
 *   <li>{@link SocketOptions}: options and shutdown;</li>
 *   <li>{@link SocketLayer}: the OS under all of them, chosen once per process.</li>
 * </ul>
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
 * exceptions (through the socket layer, with the OS's own text); socket writes never raise SIGPIPE
 * (MSG_NOSIGNAL, or SO_NOSIGPIPE on macOS), so a closed peer is an exception. A pipe has no such
 * flag: a write to one whose reader closed raises SIGPIPE, which the JVM's own handler ignores, and
 * fails with EPIPE, the same exception.
 */
public final class NetFD implements Closeable {
    /** {@link #tryRead}/{@link #tryWrite}: would block. */
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
    final Attempts attempts;
    private final Netpoll netpoll;
    private final FdMutex mu = new FdMutex();
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
        this.attempts = new Attempts(this);
        try {
            this.pd = netpoll.open(sysfd);
        } catch (IOException e) {
            layer.close(sysfd);
            throw e;
        }
    }

    // ---- construction (see Open) -------------------------------------------------------------------

    /** A new non-blocking, close-on-exec socket of {@code family} (Sys.AF_*) and {@code sotype}. */
    public static NetFD socket(int family, int sotype) throws IOException {
        return Open.socket(SocketLayer.get(), family, sotype);
    }

    /**
     * A listening stream socket bound to {@code local} (port 0 picks a free port). SO_REUSEADDR is
     * on for TCP, as in Go (except on Windows, as in Go); {@code reusePort} adds SO_REUSEPORT.
     */
    public static NetFD listen(SocketAddress local, int backlog, boolean reusePort) throws IOException {
        return Open.listen(SocketLayer.get(), local, backlog, reusePort);
    }

    /** A datagram socket bound to {@code local}. */
    public static NetFD bindDatagram(SocketAddress local) throws IOException {
        return Open.bindDatagram(SocketLayer.get(), local);
    }

    /**
     * Connects a new stream socket to {@code remote}, blocking the calling thread at most
     * {@code timeoutNanos} ({@code <= 0}: no limit). TCP connections get TCP_NODELAY, as in Go.
     */
    public static NetFD dial(SocketAddress remote, long timeoutNanos) throws IOException {
        return Open.dial(SocketLayer.get(), remote, timeoutNanos);
    }

    /**
     * {@link #dial} as a future completed on {@code executor}. Cancelling it (or completing it from
     * outside) before the connection is made closes the socket; once made, cancel returns false and
     * the future completes with it.
     */
    public static CompletableFuture<NetFD> dialAsync(SocketAddress remote, long timeoutNanos, Executor executor) {
        return Open.dialAsync(SocketLayer.get(), remote, timeoutNanos, executor);
    }

    /** A connected pair of Unix sockets of {@code sotype} (tests, in-process pipes). */
    public static NetFD[] socketPair(int sotype) throws IOException {
        return Open.socketPair(SocketLayer.get(), sotype);
    }

    /** A pipe: element 0 is the read end, 1 the write end. */
    public static NetFD[] pipe() throws IOException {
        return Open.pipe(SocketLayer.get());
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

    // ---- blocking operations (see Blocking) -----------------------------------------------------------

    /** Reads into {@code dst}; returns the bytes read, or -1 at end of stream. */
    public int read(ByteBuffer dst) throws IOException {
        // hot path: no allocation
        return Blocking.read(this, dst);
    }

    /** Writes all of {@code src} (Go's FD.Write loops until done); returns the bytes written. */
    public int write(ByteBuffer src) throws IOException {
        // hot path: no allocation
        return Blocking.write(this, src);
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
        Blocking.awaitReadable(this);
    }

    /** Gathering write of every byte remaining in {@code srcs}; returns the bytes written. */
    public long write(ByteBuffer[] srcs) throws IOException {
        return Blocking.write(this, srcs);
    }

    /** Scattering read; returns the bytes read, or -1 at end of stream. */
    public long read(ByteBuffer[] dsts) throws IOException {
        return Blocking.read(this, dsts);
    }

    /** Accepts a connection; the new descriptor is non-blocking and registered with the poller. */
    public NetFD accept() throws IOException {
        return Blocking.accept(this);
    }

    /** Receives one datagram into {@code dst}; returns its sender (like DatagramChannel.receive). */
    public SocketAddress recvFrom(ByteBuffer dst) throws IOException {
        return Blocking.recvFrom(this, dst);
    }

    /** Sends {@code src} as one datagram to {@code to}; returns the bytes sent. */
    public int sendTo(ByteBuffer src, SocketAddress to) throws IOException {
        return Blocking.sendTo(this, src, to);
    }

    // ---- CompletableFuture operations (see AsyncOp) ---------------------------------------------------
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
        return new AsyncOp.Read(this, dst, executor).start();
    }

    /**
     * {@link #write(ByteBuffer)} as a future: completes once every byte remaining in {@code src} is
     * written. Cancelled (or completed from outside) while it waits for buffer space, it writes
     * nothing more: the bytes before {@code src}'s position were sent, the rest were not.
     */
    public CompletableFuture<Integer> writeAsync(ByteBuffer src, Executor executor) {
        return new AsyncOp.Write(this, src, executor).start();
    }

    /**
     * {@link #write(ByteBuffer[])} as a future: completes once every byte remaining in {@code srcs} is
     * written. Withdrawn like {@link #writeAsync(ByteBuffer, Executor)}: the buffers' positions say
     * what was sent.
     */
    public CompletableFuture<Long> writeAsync(ByteBuffer[] srcs, Executor executor) {
        return new AsyncOp.Writev(this, srcs, executor).start();
    }

    /**
     * {@link #read(ByteBuffer[])} as a future: the bytes read, or -1 at end of stream. Withdrawn like
     * {@link #readAsync(ByteBuffer, Executor)}: a cancelled read has read nothing.
     */
    public CompletableFuture<Long> readAsync(ByteBuffer[] dsts, Executor executor) {
        return new AsyncOp.Readv(this, dsts, executor).start();
    }

    /**
     * {@link #accept()} as a future. Cancelled while it waits, it accepts nothing: the next
     * connection stays queued for the next accept. If it already accepted one, cancel returns false
     * and the future completes with it (the caller owns it).
     */
    public CompletableFuture<NetFD> acceptAsync(Executor executor) {
        return new AsyncOp.Accept(this, executor).start();
    }

    public CompletableFuture<SocketAddress> recvFromAsync(ByteBuffer dst, Executor executor) {
        return new AsyncOp.RecvFrom(this, dst, executor).start();
    }

    public CompletableFuture<Integer> sendToAsync(ByteBuffer src, SocketAddress to, Executor executor) {
        return new AsyncOp.SendTo(this, src, to, executor).start();
    }

    // ---- single attempts (see Attempts; caller holds the direction's lock or a reference) ---------

    /**
     * One read attempt: bytes read, {@link #EOF}, or {@link #EAGAIN}. Retries EINTR; throws on any
     * other error. A heap buffer is filled through the thread's bounce buffer.
     */
    public int tryRead(ByteBuffer dst) throws IOException {
        // hot path: no allocation
        return attempts.read(dst);
    }

    /**
     * True if the last read on this stream returned fewer bytes than it asked for: the kernel gave
     * everything it had queued, so (with an edge-triggered backend, which reports every later
     * arrival) the next read may wait for readiness first instead of spending a syscall on EAGAIN
     * — what Netty's epoll transport does after a short read. Only a hint: false after any full
     * read, any scattering read, and on datagram sockets. Read it with the read lock held.
     */
    public boolean readDrained() {
        return attempts.readDrained;
    }

    /**
     * Forgets {@link #readDrained()}: for a caller that consumed read readiness from the poller
     * without reading (a readiness wait), so that the next read tries the syscall. A probe
     * ({@link #tryPeek()}) forgets it by itself.
     */
    public void clearReadDrained() {
        attempts.readDrained = false;
    }

    /**
     * One readiness probe of a socket (recv with MSG_PEEK, consuming nothing): 1 if data is queued,
     * {@link #EOF} at end of stream, {@link #EAGAIN} if a read would block. A pending socket error
     * (a reset) is thrown as a read would throw it. Sockets only (see {@link #awaitReadable}).
     */
    public int tryPeek() throws IOException {
        // hot path: no allocation
        return attempts.peek();
    }

    /** One write attempt: bytes written (possibly fewer than remaining) or {@link #EAGAIN}. */
    public int tryWrite(ByteBuffer src) throws IOException {
        // hot path: no allocation
        return attempts.write(src);
    }

    /** One gathering write attempt; advances the buffers; bytes written or {@link #EAGAIN}. */
    public long tryWritev(ByteBuffer[] srcs) throws IOException {
        return attempts.writev(srcs);
    }

    /** One scattering read attempt; bytes read, {@link #EOF} or {@link #EAGAIN}. */
    public long tryReadv(ByteBuffer[] dsts) throws IOException {
        return attempts.readv(dsts);
    }

    /** One accept attempt: the connection, or null on EAGAIN. ECONNABORTED and EINTR are retried. */
    public NetFD tryAccept() throws IOException {
        return attempts.accept();
    }

    /** One datagram receive attempt: the sender, or null on EAGAIN. */
    public SocketAddress tryRecvFrom(ByteBuffer dst) throws IOException {
        return attempts.recvFrom(dst);
    }

    /** One datagram send attempt: bytes sent or {@link #EAGAIN}. */
    public int trySendTo(ByteBuffer src, SocketAddress to) throws IOException {
        return attempts.sendTo(src, to);
    }

    /** Starts a connect: true if it completed at once, false if the caller must wait for write readiness. */
    public boolean connectStart(SocketAddress remote) throws IOException {
        return attempts.connectStart(remote);
    }

    /**
     * After write readiness: true once connected, false if the wake-up was spurious (wait again),
     * or the connect's error (Go's netFD.connect loop over SO_ERROR and getpeername).
     */
    public boolean connectFinish() throws IOException {
        return attempts.connectFinish();
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
        SocketOptions.setLinger(this, seconds);
    }

    /** SO_LINGER seconds, or -1 when off. */
    public int getLinger() throws IOException {
        return SocketOptions.getLinger(this);
    }

    /** Sets an int option; {@code level} and {@code name} are Linux's numbers ({@code Sys.*}) on every OS. */
    public void setIntOption(int level, int name, int value) throws IOException {
        SocketOptions.setInt(this, level, name, value);
    }

    /** Reads an int option, numbered as for {@link #setIntOption}; SO_ERROR's value is a Linux errno. */
    public int getIntOption(int level, int name) throws IOException {
        return SocketOptions.getInt(this, level, name);
    }

    /** Half-close: no more reads ({@code SHUT_RD}). */
    public void shutdownInput() throws IOException {
        SocketOptions.shutdown(this, Sys.SHUT_RD);
    }

    /** Half-close: sends FIN after queued data ({@code SHUT_WR}). */
    public void shutdownOutput() throws IOException {
        SocketOptions.shutdown(this, Sys.SHUT_WR);
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
        attempts.clear();
        netpoll.close(pd);
        layer.close(sysfd);
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

    @Override
    public String toString() {
        return "NetFD[fd=" + sysfd + (mu.isClosed() ? ", closed" : "") + "]";
    }
}
