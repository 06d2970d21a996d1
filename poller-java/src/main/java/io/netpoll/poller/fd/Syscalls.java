package io.netpoll.poller.fd;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.poller.PollDesc;
import io.netpoll.poller.sys.Errno;
import io.netpoll.poller.sys.SockAddrFormat;
import io.netpoll.poller.sys.Sys;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;

/**
 * One descriptor's single-attempt system calls: NetFD's {@code try*} primitives (the syscall inside
 * Go's FD.Read, FD.Write, FD.Accept, ... loops, with ignoringEINTRIO's retry). Each makes the call
 * through the socket layer and returns what happened as a value: bytes, {@link NetFD#EOF},
 * {@link NetFD#EAGAIN} (or null where the result is an object); EINTR is retried here; any other
 * errno is thrown as the layer's exception.
 *
 * <h2>Memory</h2>
 * Each direction owns a native scratch area and remembers the address of the last direct buffer it
 * saw, both used only under that direction's lock (accept and recvfrom read; writev and sendto
 * write), so an attempt allocates nothing once they exist:
 * <pre>
 *   read scratch:  [iovecs / sockaddr + socklen]  [layer's vector scratch]
 *   write scratch: [iovecs]  [layer's vector scratch]  [sockaddr]
 * </pre>
 * {@link #peek} copies its one byte into {@link #PEEK_SINK}, shared by every descriptor and thread:
 * the byte is never read, so concurrent peeks overwriting it are harmless, and a descriptor that
 * only waits for readability needs no memory of its own.
 *
 * <h2>Errors the poller saw first</h2>
 * A kqueue library that reads SO_ERROR to build an event clears it, so the refused connect or the
 * reset then reaches us only through the event ({@link PollDesc#takeEventErrno}): a connect whose
 * SO_ERROR reads 0, or a read or probe that meets the end of the stream, reports that error
 * instead. A read-side syscall that fails on its own spends the event's copy, so that one error is
 * reported once.
 */
final class Syscalls {
    private static final int IOV_MAX_PER_CALL = 64;
    private static final long VECTOR_SCRATCH_OFFSET = (long) IOV_MAX_PER_CALL * SocketLayer.IOVEC_SIZE;
    private static final long SCRATCH_SIZE = VECTOR_SCRATCH_OFFSET + SocketLayer.VECTOR_SCRATCH_SIZE;
    private static final int ADDRLEN_OFFSET = SockAddrFormat.STORAGE_SIZE;
    private static final Memory PEEK_SINK = new Memory(1);
    private static final long PEEK_SINK_ADDRESS = Pointer.nativeValue(PEEK_SINK);

    private final SocketLayer layer;
    private final int sysfd;
    private final int family;
    private final int sotype;
    private final boolean stream;
    private final boolean socket;
    private final PollDesc pd;
    private final NativeBuffers.AddressCache readAddresses = new NativeBuffers.AddressCache();
    private final NativeBuffers.AddressCache writeAddresses = new NativeBuffers.AddressCache();
    private Memory readScratch;
    private Memory writeScratch;
    /** The sockaddr part of {@link #writeScratch}, for sendto. */
    private Pointer writeSockaddr;
    /** See {@link NetFD#readDrained()}; written by the read-lock holder. */
    boolean readDrained;

    Syscalls(SocketLayer layer, int sysfd, int family, int sotype, boolean socket, PollDesc pd) {
        this.layer = layer;
        this.sysfd = sysfd;
        this.family = family;
        this.sotype = sotype;
        this.stream = sotype == Sys.SOCK_STREAM;
        this.socket = socket;
        this.pd = pd;
    }

    int read(ByteBuffer dst) throws IOException {
        // hot path: no allocation
        int pos = dst.position();
        int len = dst.limit() - pos;
        if (dst.isDirect()) {
            int n = read(readAddresses.addressOf(dst) + pos, len);
            if (n > 0) {
                dst.position(pos + n);
            }
            return n;
        }
        NativeBuffers.Bounce b = NativeBuffers.bounce();
        int n = read(b.address, Math.min(len, NativeBuffers.BOUNCE_SIZE));
        if (n > 0) {
            dst.put(pos, b.buffer, 0, n);
            dst.position(pos + n);
        }
        return n;
    }

    int read(long address, int len) throws IOException {
        // hot path: no allocation
        for (;;) {
            long n = layer.read(sysfd, address, len);
            if (n > 0) {
                readDrained = stream && n < len;
                return (int) n;
            }
            if (n == 0) {
                return len == 0 || !stream ? 0 : endOfStream("read");
            }
            int errno = (int) -n;
            if (errno == Errno.EAGAIN) {
                return NetFD.EAGAIN;
            }
            if (errno != Errno.EINTR) {
                throw readFailure("read", errno);
            }
        }
    }

    /**
     * Whether a read would block, without reading (a socket's readiness probe): 1 if data (or a
     * datagram, even an empty one) is queued, {@link NetFD#EOF} at the end of a stream,
     * {@link NetFD#EAGAIN} if a read would block. A pending socket error is thrown: the kernel hands
     * it out once, even to a peek, so it is reported here rather than lost. Pipes cannot be peeked.
     */
    int peek() throws IOException {
        // hot path: no allocation
        if (!socket) {
            throw new UnsupportedOperationException("a readiness probe needs a socket, not a pipe");
        }
        readDrained = false;
        for (;;) {
            long n = layer.peek(sysfd, PEEK_SINK_ADDRESS, 1);
            if (n > 0) {
                return 1;
            }
            if (n == 0) {
                return stream ? endOfStream("read") : 1;
            }
            int errno = (int) -n;
            if (errno == Errno.EAGAIN) {
                return NetFD.EAGAIN;
            }
            if (errno != Errno.EINTR) {
                throw readFailure("read", errno);
            }
        }
    }

    int write(ByteBuffer src) throws IOException {
        // hot path: no allocation
        int pos = src.position();
        int len = src.limit() - pos;
        int n;
        if (src.isDirect()) {
            n = write(writeAddresses.addressOf(src) + pos, len);
        } else {
            NativeBuffers.Bounce b = NativeBuffers.bounce();
            int chunk = Math.min(len, NativeBuffers.BOUNCE_SIZE);
            b.buffer.put(0, src, pos, chunk);
            n = write(b.address, chunk);
        }
        if (n > 0) {
            src.position(pos + n);
        }
        return n;
    }

    int write(long address, int len) throws IOException {
        // hot path: no allocation
        for (;;) {
            long n = socket ? layer.send(sysfd, address, len) : layer.write(sysfd, address, len);
            if (n >= 0) {
                return (int) n;
            }
            int errno = (int) -n;
            if (errno == Errno.EAGAIN) {
                return NetFD.EAGAIN;
            }
            if (errno != Errno.EINTR) {
                throw layer.exception("write", errno);
            }
        }
    }

    long writev(ByteBuffer[] srcs) throws IOException {
        if (!Iovecs.allDirect(srcs)) {
            for (ByteBuffer b : srcs) {
                if (b.hasRemaining()) {
                    return write(b);
                }
            }
            return 0;
        }
        Memory m = writeScratch();
        int cnt = Iovecs.fill(layer, m, srcs, IOV_MAX_PER_CALL, writeAddresses);
        for (;;) {
            long n = socket ? layer.sendv(sysfd, m, cnt, VECTOR_SCRATCH_OFFSET) : layer.writev(sysfd, m, cnt, VECTOR_SCRATCH_OFFSET);
            if (n >= 0) {
                Iovecs.advance(srcs, n);
                return n;
            }
            int errno = (int) -n;
            if (errno == Errno.EAGAIN) {
                return NetFD.EAGAIN;
            }
            if (errno != Errno.EINTR) {
                throw layer.exception("writev", errno);
            }
        }
    }

    long readv(ByteBuffer[] dsts) throws IOException {
        if (!Iovecs.allDirect(dsts)) {
            for (ByteBuffer b : dsts) {
                if (b.hasRemaining()) {
                    return read(b);
                }
            }
            return 0;
        }
        Memory m = readScratch();
        int cnt = Iovecs.fill(layer, m, dsts, IOV_MAX_PER_CALL, readAddresses);
        for (;;) {
            long n = layer.readv(sysfd, m, cnt, VECTOR_SCRATCH_OFFSET);
            if (n > 0) {
                readDrained = false;
                Iovecs.advance(dsts, n);
                return n;
            }
            if (n == 0) {
                return stream ? endOfStream("readv") : 0;
            }
            int errno = (int) -n;
            if (errno == Errno.EAGAIN) {
                return NetFD.EAGAIN;
            }
            if (errno != Errno.EINTR) {
                throw readFailure("readv", errno);
            }
        }
    }

    /** Go's netFD.accept: ECONNABORTED (a connection reset while queued) is skipped like EINTR. */
    NetFD accept() throws IOException {
        Memory sa = readScratch();
        long addr = Pointer.nativeValue(sa);
        for (;;) {
            sa.setInt(ADDRLEN_OFFSET, SockAddrFormat.STORAGE_SIZE);
            int nfd = layer.accept(sysfd, addr, addr + ADDRLEN_OFFSET);
            if (nfd >= 0) {
                SocketAddress remote = layer.sockaddr().decode(sa, sa.getInt(ADDRLEN_OFFSET));
                NetFD c = new NetFD(layer, nfd, family, sotype, true, remote);
                if (family != Sys.AF_UNIX) {
                    try {
                        c.setNoDelay(true);
                    } catch (IOException | RuntimeException e) {
                        c.close();
                        throw e;
                    }
                }
                return c;
            }
            int errno = -nfd;
            if (errno == Errno.EAGAIN) {
                return null;
            }
            if (errno != Errno.EINTR && errno != Errno.ECONNABORTED) {
                throw layer.exception("accept", errno);
            }
        }
    }

    SocketAddress recvFrom(ByteBuffer dst) throws IOException {
        Memory sa = readScratch();
        long addr = Pointer.nativeValue(sa);
        int pos = dst.position();
        int len = dst.limit() - pos;
        boolean direct = dst.isDirect();
        NativeBuffers.Bounce b = direct ? null : NativeBuffers.bounce();
        long buf = direct ? readAddresses.addressOf(dst) + pos : b.address;
        int cap = direct ? len : Math.min(len, NativeBuffers.BOUNCE_SIZE);
        for (;;) {
            sa.setInt(ADDRLEN_OFFSET, SockAddrFormat.STORAGE_SIZE);
            long n = layer.recvfrom(sysfd, buf, cap, addr, addr + ADDRLEN_OFFSET);
            if (n >= 0) {
                if (!direct) {
                    dst.put(pos, b.buffer, 0, (int) n);
                }
                dst.position(pos + (int) n);
                return layer.sockaddr().decode(sa, sa.getInt(ADDRLEN_OFFSET));
            }
            int errno = (int) -n;
            if (errno == Errno.EAGAIN) {
                return null;
            }
            if (errno != Errno.EINTR) {
                throw layer.exception("recvfrom", errno);
            }
        }
    }

    int sendTo(ByteBuffer src, SocketAddress to) throws IOException {
        writeScratch();
        Pointer sa = writeSockaddr;
        int salen = layer.sockaddr().encode(to, layer.nativeFamily(family), sa);
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
            long n = layer.sendto(sysfd, buf, len, Pointer.nativeValue(sa), salen);
            if (n >= 0) {
                src.position(pos + (int) n);
                return (int) n;
            }
            int errno = (int) -n;
            if (errno == Errno.EAGAIN) {
                return NetFD.EAGAIN;
            }
            if (errno != Errno.EINTR) {
                throw layer.exception("sendto", errno);
            }
        }
    }

    /**
     * Starts a connect: true if it completed at once, false if the caller must wait for write
     * readiness and then call {@link #connectFinish}.
     */
    boolean connectStart(SocketAddress remote) throws IOException {
        try (Memory sa = new Memory(SockAddrFormat.STORAGE_SIZE)) {
            int len = layer.sockaddr().encode(remote, layer.nativeFamily(family), sa);
            int r = layer.connect(sysfd, Pointer.nativeValue(sa), len);
            if (r == 0) {
                return true;
            }
            int errno = -r;
            switch (errno) {
                case Errno.EINPROGRESS:
                case Errno.EALREADY:
                case Errno.EINTR:
                    return false;
                case Errno.EISCONN:
                    return true;
                default:
                    throw layer.exception("connect", errno);
            }
        }
    }

    /**
     * After write readiness: true once connected, false if the wake-up was spurious (wait again),
     * or the connect's error (Go's netFD.connect loop over SO_ERROR and getpeername).
     */
    boolean connectFinish() throws IOException {
        int err = SocketOptions.getInt(layer, sysfd, Sys.SOL_SOCKET, Sys.SO_ERROR);
        if (err == 0) {
            int reported = pd.takeEventErrno();
            if (reported != 0) {
                err = layer.linuxErrno(reported);
            }
        }
        switch (err) {
            case 0:
                break;
            case Errno.EINPROGRESS:
            case Errno.EALREADY:
            case Errno.EINTR:
                return false;
            default:
                throw layer.exception("connect", err);
        }
        try (Memory sa = new Memory(SockAddrFormat.STORAGE_SIZE + 4)) {
            long addr = Pointer.nativeValue(sa);
            sa.setInt(ADDRLEN_OFFSET, SockAddrFormat.STORAGE_SIZE);
            int r = layer.getpeername(sysfd, addr, addr + ADDRLEN_OFFSET);
            if (r < 0) {
                if (-r == Errno.ENOTCONN) {
                    return false;
                }
                throw layer.exception("getpeername", -r);
            }
        }
        return true;
    }

    /** A stream's end, or the error the poller took from an event in place of the kernel's report. */
    private int endOfStream(String op) throws IOException {
        int reported = pd.takeEventErrno();
        if (reported != 0) {
            throw layer.exception(op, layer.linuxErrno(reported));
        }
        return NetFD.EOF;
    }

    /** The exception for a read-side syscall's own error; the event's copy of it is spent. */
    private IOException readFailure(String op, int errno) {
        pd.takeEventErrno();
        return layer.exception(op, errno);
    }

    /** Drops the remembered buffers when the descriptor is destroyed. */
    void clear() {
        readAddresses.clear();
        writeAddresses.clear();
    }

    private Memory readScratch() {
        Memory m = readScratch;
        if (m == null) {
            m = new Memory(SCRATCH_SIZE);
            readScratch = m;
        }
        return m;
    }

    private Memory writeScratch() {
        Memory m = writeScratch;
        if (m == null) {
            m = new Memory(SCRATCH_SIZE + SockAddrFormat.STORAGE_SIZE);
            writeSockaddr = m.share(SCRATCH_SIZE, SockAddrFormat.STORAGE_SIZE);
            writeScratch = m;
        }
        return m;
    }
}
