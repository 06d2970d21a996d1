package io.netpoll.poller.fd;

import io.netpoll.poller.PollDesc;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * The blocking form of NetFD's I/O loop (Go's FD.Read, FD.Write, FD.Accept, FD.ReadFrom,
 * FD.WriteTo): take the direction's lock, {@link PollDesc#prepare}, then alternate a single
 * attempt ({@link Attempts}) with {@link PollDesc#await} until the attempt does not say EAGAIN.
 * {@code await} parks the calling thread (a virtual thread releases its carrier); a close, a
 * deadline or an interrupt comes back from it as a result that {@link NetFD#check} throws.
 */
final class Blocking {
    private Blocking() {}

    static int read(NetFD fd, ByteBuffer dst) throws IOException {
        // hot path: no allocation
        fd.readLock();
        try {
            if (!dst.hasRemaining()) {
                return 0;
            }
            fd.check(fd.pd.prepare(PollDesc.MODE_READ));
            for (;;) {
                int n = fd.attempts.read(dst);
                if (n != NetFD.EAGAIN) {
                    return n;
                }
                fd.check(fd.pd.await(PollDesc.MODE_READ));
            }
        } finally {
            fd.readUnlock();
        }
    }

    /**
     * Go's rawConn.Read with a probe that reads nothing: {@link NetFD#awaitReadable}. Returns after
     * the poller reports readiness without probing again; see net-kt's Conn.awaitReadable for why.
     */
    static void awaitReadable(NetFD fd) throws IOException {
        fd.readLock();
        try {
            fd.check(fd.pd.prepare(PollDesc.MODE_READ));
            if (fd.attempts.peek() == NetFD.EAGAIN) {
                fd.check(fd.pd.await(PollDesc.MODE_READ));
            }
        } finally {
            fd.readUnlock();
        }
    }

    /** Writes everything (Go's FD.Write loops until done). */
    static int write(NetFD fd, ByteBuffer src) throws IOException {
        // hot path: no allocation
        fd.writeLock();
        try {
            int total = 0;
            fd.check(fd.pd.prepare(PollDesc.MODE_WRITE));
            while (src.hasRemaining()) {
                int n = fd.attempts.write(src);
                if (n == NetFD.EAGAIN) {
                    fd.check(fd.pd.await(PollDesc.MODE_WRITE));
                    continue;
                }
                total += n;
            }
            return total;
        } finally {
            fd.writeUnlock();
        }
    }

    static long write(NetFD fd, ByteBuffer[] srcs) throws IOException {
        fd.writeLock();
        try {
            long total = 0;
            fd.check(fd.pd.prepare(PollDesc.MODE_WRITE));
            while (Iovecs.remaining(srcs) > 0) {
                long n = fd.attempts.writev(srcs);
                if (n == NetFD.EAGAIN) {
                    fd.check(fd.pd.await(PollDesc.MODE_WRITE));
                    continue;
                }
                total += n;
            }
            return total;
        } finally {
            fd.writeUnlock();
        }
    }

    static long read(NetFD fd, ByteBuffer[] dsts) throws IOException {
        fd.readLock();
        try {
            if (Iovecs.remaining(dsts) == 0) {
                return 0;
            }
            fd.check(fd.pd.prepare(PollDesc.MODE_READ));
            for (;;) {
                long n = fd.attempts.readv(dsts);
                if (n != NetFD.EAGAIN) {
                    return n;
                }
                fd.check(fd.pd.await(PollDesc.MODE_READ));
            }
        } finally {
            fd.readUnlock();
        }
    }

    static NetFD accept(NetFD fd) throws IOException {
        fd.readLock();
        try {
            fd.check(fd.pd.prepare(PollDesc.MODE_READ));
            for (;;) {
                NetFD c = fd.attempts.accept();
                if (c != null) {
                    return c;
                }
                fd.check(fd.pd.await(PollDesc.MODE_READ));
            }
        } finally {
            fd.readUnlock();
        }
    }

    static SocketAddress recvFrom(NetFD fd, ByteBuffer dst) throws IOException {
        fd.readLock();
        try {
            fd.check(fd.pd.prepare(PollDesc.MODE_READ));
            for (;;) {
                SocketAddress from = fd.attempts.recvFrom(dst);
                if (from != null) {
                    return from;
                }
                fd.check(fd.pd.await(PollDesc.MODE_READ));
            }
        } finally {
            fd.readUnlock();
        }
    }

    static int sendTo(NetFD fd, ByteBuffer src, SocketAddress to) throws IOException {
        fd.writeLock();
        try {
            fd.check(fd.pd.prepare(PollDesc.MODE_WRITE));
            for (;;) {
                int n = fd.attempts.sendTo(src, to);
                if (n != NetFD.EAGAIN) {
                    return n;
                }
                fd.check(fd.pd.await(PollDesc.MODE_WRITE));
            }
        } finally {
            fd.writeUnlock();
        }
    }
}
