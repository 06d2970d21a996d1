package io.netpoll.poller.fd;

import io.netpoll.poller.PollDesc;
import io.netpoll.poller.Waiter;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One {@link NetFD} operation driven by wake-ups instead of a parked thread: the same
 * lock → prepare → attempt → wait loop as the blocking calls, resumed on {@code executor} each time
 * the lock is handed over or the descriptor becomes ready. Completion happens on the caller's or
 * the executor's thread, never on the poller's.
 *
 * <p>Publication rule: the stage is written before the operation is handed to the mutex queue or
 * the {@link PollDesc} slot, and the thread that handed it over touches nothing afterwards, since
 * the wake-up may already be running {@link #run} on the executor.
 */
abstract class AsyncOp<T> extends Waiter implements Runnable {
    private static final int START = 0;
    private static final int LOCK_QUEUED = 1;
    private static final int PARKED = 2;

    final NetFD fd;
    private final int mode;
    private final boolean locks;
    private final Executor executor;
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private FdMutex.Node lockNode;
    private boolean locked;
    private int stage = START;

    AsyncOp(NetFD fd, int mode, boolean locks, Executor executor) {
        this.fd = fd;
        this.mode = mode;
        this.locks = locks;
        this.executor = executor;
    }

    CompletableFuture<T> start() {
        run();
        return result;
    }

    @Override
    public void wake() {
        Waiter.execute(executor, this);
    }

    /** One attempt; null means EAGAIN. */
    abstract T attempt() throws IOException;

    /** Whether the operation has more to do after a successful attempt (writes of all bytes). */
    boolean done(T value) {
        return true;
    }

    void failed() {
    }

    @Override
    public void run() {
        try {
            if (!advance()) {
                return;
            }
            for (;;) {
                T v = attempt();
                if (v != null && done(v)) {
                    finish(v, null);
                    return;
                }
                if (v != null) {
                    continue;
                }
                stage = PARKED;
                int r = fd.pollDesc().waitFor(mode, this);
                if (r == PollDesc.PARKED) {
                    return;
                }
                stage = START;
                if (r != PollDesc.AGAIN) {
                    fd.check(r);
                }
            }
        } catch (Throwable t) {
            finish(null, t);
        }
    }

    /** Moves through locking and waking; false if the operation is now queued or parked. */
    private boolean advance() throws IOException {
        if (stage == PARKED) {
            stage = START;
            int r = fd.pollDesc().resume(mode);
            if (r == PollDesc.AGAIN) {
                stage = PARKED;
                r = fd.pollDesc().waitFor(mode, this);
                if (r == PollDesc.PARKED) {
                    return false;
                }
                stage = START;
                if (r == PollDesc.AGAIN) {
                    return true;
                }
            }
            fd.check(r);
            return true;
        }
        if (!locks || locked) {
            if (!locks && stage == START && lockNode == null) {
                fd.incref();
                locked = true;
                lockNode = CLAIMED;
            }
            return true;
        }
        if (stage == START) {
            FdMutex.Node node = new FdMutex.Node(this);
            lockNode = node;
            stage = LOCK_QUEUED;
            if (!fd.mutex().rwlockAsync(mode == PollDesc.MODE_READ, node)) {
                if (node.result() == FdMutex.CLOSED_BEFORE) {
                    stage = START;
                    NetFD.lockResult(FdMutex.CLOSED_BEFORE);
                }
                return false;
            }
        } else {
            NetFD.lockResult(lockNode.result());
        }
        stage = START;
        locked = true;
        fd.check(fd.pollDesc().prepare(mode));
        return true;
    }

    private static final FdMutex.Node CLAIMED = new FdMutex.Node(null);

    private void finish(T value, Throwable error) {
        if (locked) {
            locked = false;
            if (locks) {
                if (mode == PollDesc.MODE_READ) {
                    fd.readUnlock();
                } else {
                    fd.writeUnlock();
                }
            } else {
                fd.decref();
            }
        }
        if (error != null) {
            failed();
            result.completeExceptionally(error);
        } else {
            result.complete(value);
        }
    }

    static final class Read extends AsyncOp<Integer> {
        private final ByteBuffer dst;

        Read(NetFD fd, ByteBuffer dst, Executor executor) {
            super(fd, PollDesc.MODE_READ, true, executor);
            this.dst = dst;
        }

        @Override
        Integer attempt() throws IOException {
            if (!dst.hasRemaining()) {
                return 0;
            }
            int n = fd.tryRead(dst);
            return n == NetFD.EAGAIN ? null : n;
        }
    }

    static final class Write extends AsyncOp<Integer> {
        private final ByteBuffer src;
        private int total;

        Write(NetFD fd, ByteBuffer src, Executor executor) {
            super(fd, PollDesc.MODE_WRITE, true, executor);
            this.src = src;
        }

        @Override
        Integer attempt() throws IOException {
            if (!src.hasRemaining()) {
                return total;
            }
            int n = fd.tryWrite(src);
            if (n == NetFD.EAGAIN) {
                return null;
            }
            total += n;
            return total;
        }

        @Override
        boolean done(Integer value) {
            return !src.hasRemaining();
        }
    }

    /** Scattering read: {@link Blocking#read(NetFD, ByteBuffer[])} as a future. */
    static final class Readv extends AsyncOp<Long> {
        private final ByteBuffer[] dsts;

        Readv(NetFD fd, ByteBuffer[] dsts, Executor executor) {
            super(fd, PollDesc.MODE_READ, true, executor);
            this.dsts = dsts;
        }

        @Override
        Long attempt() throws IOException {
            if (Iovecs.remaining(dsts) == 0) {
                return 0L;
            }
            long n = fd.tryReadv(dsts);
            return n == NetFD.EAGAIN ? null : n;
        }
    }

    /** Gathering write of every byte remaining: {@link Blocking#write(NetFD, ByteBuffer[])} as a future. */
    static final class Writev extends AsyncOp<Long> {
        private final ByteBuffer[] srcs;
        private long total;

        Writev(NetFD fd, ByteBuffer[] srcs, Executor executor) {
            super(fd, PollDesc.MODE_WRITE, true, executor);
            this.srcs = srcs;
        }

        @Override
        Long attempt() throws IOException {
            if (Iovecs.remaining(srcs) == 0) {
                return total;
            }
            long n = fd.tryWritev(srcs);
            if (n == NetFD.EAGAIN) {
                return null;
            }
            total += n;
            return total;
        }

        @Override
        boolean done(Long value) {
            return Iovecs.remaining(srcs) == 0;
        }
    }

    static final class Accept extends AsyncOp<NetFD> {
        Accept(NetFD fd, Executor executor) {
            super(fd, PollDesc.MODE_READ, true, executor);
        }

        @Override
        NetFD attempt() throws IOException {
            return fd.tryAccept();
        }
    }

    static final class RecvFrom extends AsyncOp<SocketAddress> {
        private final ByteBuffer dst;

        RecvFrom(NetFD fd, ByteBuffer dst, Executor executor) {
            super(fd, PollDesc.MODE_READ, true, executor);
            this.dst = dst;
        }

        @Override
        SocketAddress attempt() throws IOException {
            return fd.tryRecvFrom(dst);
        }
    }

    static final class SendTo extends AsyncOp<Integer> {
        private final ByteBuffer src;
        private final SocketAddress to;

        SendTo(NetFD fd, ByteBuffer src, SocketAddress to, Executor executor) {
            super(fd, PollDesc.MODE_WRITE, true, executor);
            this.src = src;
            this.to = to;
        }

        @Override
        Integer attempt() throws IOException {
            int n = fd.trySendTo(src, to);
            return n == NetFD.EAGAIN ? null : n;
        }
    }

    /** Completes a non-blocking connect; closes the socket if it fails. */
    static final class Connect extends AsyncOp<NetFD> {
        private final SocketAddress remote;
        private boolean started;

        Connect(NetFD fd, SocketAddress remote, Executor executor) {
            super(fd, PollDesc.MODE_WRITE, false, executor);
            this.remote = remote;
        }

        @Override
        NetFD attempt() throws IOException {
            boolean connected;
            if (!started) {
                started = true;
                connected = fd.connectStart(remote);
            } else {
                connected = fd.connectFinish();
            }
            if (!connected) {
                return null;
            }
            fd.pollDesc().clearDeadline(PollDesc.MODE_WRITE);
            return fd;
        }

        @Override
        void failed() {
            fd.close();
        }
    }
}
