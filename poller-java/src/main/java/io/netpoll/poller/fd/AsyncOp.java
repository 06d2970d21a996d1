package io.netpoll.poller.fd;

import io.netpoll.poller.PollDesc;
import io.netpoll.poller.Waiter;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One {@link NetFD} operation driven by wake-ups instead of a parked thread: the same
 * lock → prepare → attempt → wait loop as the blocking calls, resumed on {@code executor} each time
 * the lock is handed over or the descriptor becomes ready. Completion happens on the caller's or
 * the executor's thread, never on the poller's.
 *
 * <h2>Ownership</h2>
 * {@code state} says who may touch the operation, and every change of owner is one CAS on it:
 * <pre>
 *   RUNNING   a thread is inside {@link #loop}: the only one that attempts, so the only one that
 *             takes bytes, and it checks {@code withdrawal} before each attempt and before parking
 *   QUEUED    handed to the lock queue
 *   WAITING   handed to the PollDesc slot
 *   WOKEN     taken out by whoever woke it and submitted to the executor, not yet running
 *   WITHDRAWN completed from outside ({@link Result}) while nobody was running it
 *   DONE      its owner finished it
 * </pre>
 * The owner writes {@code stage} and publishes QUEUED or WAITING before the handover, and touches
 * nothing afterwards, since the wake-up may already be running the operation on the executor; when
 * the handover did not park it (lock taken at once, readiness already recorded) the owner takes it
 * back (→ RUNNING).
 *
 * <h2>Withdrawal (cancel, or any completion from outside)</h2>
 * The future withdraws the operation the way net-kt's coroutine cancellation does, so nothing the
 * peer sends is taken by an operation nobody waits for: a waiter in the PollDesc slot is removed
 * with {@link PollDesc#cancelWait} (if the poller removed it first, its wake is in flight and the
 * withdrawal claims it as WOKEN instead); a node in the lock queue cannot be removed, so the
 * operation is marked WITHDRAWN and the lock handed to it later is released by {@link #wake}; a
 * RUNNING operation is left to its owner, which sees {@code withdrawal} at its next step and ends
 * there, while the withdrawing thread yields until it has. Whoever claims the operation gives back
 * its lock (or reference), and a dial closes its socket. An attempt that took bytes, a connection
 * or an accepted socket always completes the future with them, and then the withdrawal fails.
 */
abstract class AsyncOp<T> extends Waiter implements Runnable {
    private static final int START = 0;
    private static final int LOCK_QUEUED = 1;
    private static final int PARKED = 2;

    private static final int RUNNING = 0;
    private static final int QUEUED = 1;
    private static final int WAITING = 2;
    private static final int WOKEN = 3;
    private static final int WITHDRAWN = 4;
    private static final int DONE = 5;

    private static final VarHandle STATE;
    private static final VarHandle WITHDRAWAL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(AsyncOp.class, "state", int.class);
            WITHDRAWAL = l.findVarHandle(AsyncOp.class, "withdrawal", Outcome.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final NetFD fd;
    private final int mode;
    private final boolean locks;
    private final Executor executor;
    private final Result result = new Result();
    private volatile int state = RUNNING;
    /** Set by the first completion from outside; the owner ends at its next step once it is set. */
    private volatile Outcome<T> withdrawal;
    // written by the owner, published by its write of state
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
        loop();
        return result;
    }

    /** Taken out of the lock queue or the PollDesc slot: resume on the executor. */
    @Override
    public void wake() {
        if (STATE.compareAndSet(this, WAITING, WOKEN) || STATE.compareAndSet(this, QUEUED, WOKEN)) {
            Waiter.execute(executor, this);
        } else {
            // WITHDRAWN while in the lock queue: the lock just handed over is nobody's.
            release();
        }
    }

    @Override
    public void run() {
        if (STATE.compareAndSet(this, WOKEN, RUNNING)) {
            loop();
        }
    }

    /** One attempt; null means EAGAIN. */
    abstract T attempt() throws IOException;

    /** Whether the operation has more to do after a successful attempt (writes of all bytes). */
    boolean done(T value) {
        return true;
    }

    /** The operation ends without a result: failed or withdrawn. */
    void abandoned() {
    }

    /** The I/O loop, run by the owner (state RUNNING). */
    private void loop() {
        try {
            boolean attemptNow = true;
            if (stage == PARKED) {
                stage = START;
                int r = fd.pollDesc().resume(mode);
                if (r == PollDesc.AGAIN) {
                    attemptNow = false;
                } else {
                    fd.check(r);
                }
            } else if (!lock()) {
                return;
            }
            for (;;) {
                if (withdrawal != null) {
                    ownerWithdraws();
                    return;
                }
                if (attemptNow) {
                    T v = attempt();
                    if (v != null) {
                        if (done(v)) {
                            finish(v, null);
                            return;
                        }
                        continue;
                    }
                    if (withdrawal != null) {
                        ownerWithdraws();
                        return;
                    }
                }
                attemptNow = true;
                stage = PARKED;
                state = WAITING;
                int r = fd.pollDesc().waitFor(mode, this);
                if (r == PollDesc.PARKED) {
                    return;
                }
                // Not parked, so neither a wake nor a withdrawal can have claimed it.
                state = RUNNING;
                stage = START;
                if (r != PollDesc.AGAIN) {
                    fd.check(r);
                }
            }
        } catch (Throwable t) {
            finish(null, t);
        }
    }

    /**
     * Takes the direction's lock (or a reference, for an operation that needs no lock) and
     * prepares the descriptor; false if the operation is now queued for the lock or was withdrawn.
     */
    private boolean lock() throws IOException {
        if (!locks) {
            if (lockNode == null) {
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
            state = QUEUED;
            boolean acquired = fd.mutex().rwlockAsync(mode == PollDesc.MODE_READ, node);
            if (!acquired && node.result() != FdMutex.CLOSED_BEFORE) {
                return false;
            }
            // No wake follows: take the operation back, unless it was withdrawn meanwhile.
            if (!STATE.compareAndSet(this, QUEUED, RUNNING)) {
                if (acquired) {
                    unlock();
                }
                return false;
            }
            if (!acquired) {
                NetFD.lockResult(FdMutex.CLOSED_BEFORE);
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

    private void unlock() {
        if (!locks) {
            fd.decref();
        } else if (mode == PollDesc.MODE_READ) {
            fd.readUnlock();
        } else {
            fd.writeUnlock();
        }
    }

    /**
     * Gives back what a withdrawn operation holds: the lock it took or was handed, or its
     * reference. A readiness left in the slot stays there: the next operation's prepare and
     * attempt observe the socket itself, so it is never lost.
     */
    private void release() {
        if (locked || (stage == LOCK_QUEUED && lockNode.result() == FdMutex.ACQUIRED)) {
            locked = false;
            unlock();
        }
        abandoned();
    }

    private void finish(T value, Throwable error) {
        state = DONE;
        if (locked) {
            locked = false;
            unlock();
        }
        if (error != null) {
            abandoned();
            result.settle(null, error);
        } else {
            result.settle(value, null);
        }
    }

    /** The owner saw a withdrawal before attempting or parking. */
    private void ownerWithdraws() {
        state = WITHDRAWN;
        release();
        Outcome<T> w = withdrawal;
        result.settle(w.value, w.error);
    }

    /**
     * Withdraws the operation for a completion from outside; returns whether {@code outcome} is
     * now the future's (false if the operation finished first).
     */
    private boolean withdraw(Outcome<T> outcome) {
        if (result.isDone()) {
            return false;
        }
        WITHDRAWAL.compareAndSet(this, null, outcome);
        for (;;) {
            int s = state;
            if (s == DONE) {
                return false;
            }
            if (s == WITHDRAWN) {
                return result.settle(outcome.value, outcome.error);
            }
            if (s == WOKEN && STATE.compareAndSet(this, WOKEN, WITHDRAWN)) {
                release();
                return result.settle(outcome.value, outcome.error);
            }
            if (s == QUEUED && STATE.compareAndSet(this, QUEUED, WITHDRAWN)) {
                // The lock's wake (or the owner, if no wake follows) releases it.
                return result.settle(outcome.value, outcome.error);
            }
            if (s == WAITING && fd.pollDesc().cancelWait(mode, this)) {
                state = WITHDRAWN;
                release();
                return result.settle(outcome.value, outcome.error);
            }
            // RUNNING, or a wake (or the owner taking it back) is between two steps: both are
            // short and never wait, so let them finish.
            Thread.yield();
        }
    }

    /** A completion requested from outside. */
    private static final class Outcome<T> {
        final T value;
        final Throwable error;

        Outcome(T value, Throwable error) {
            this.value = value;
            this.error = error;
        }
    }

    /**
     * The future handed to the caller: completing it from outside (cancel, complete,
     * completeExceptionally, hence orTimeout and completeOnTimeout) withdraws the operation first.
     */
    private final class Result extends CompletableFuture<T> {
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return withdraw(new Outcome<>(null, new CancellationException())) || isCancelled();
        }

        @Override
        public boolean complete(T value) {
            return withdraw(new Outcome<>(value, null));
        }

        @Override
        public boolean completeExceptionally(Throwable ex) {
            if (ex == null) {
                throw new NullPointerException();
            }
            return withdraw(new Outcome<>(null, ex));
        }

        boolean settle(T value, Throwable error) {
            return error != null ? super.completeExceptionally(error) : super.complete(value);
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
        void abandoned() {
            fd.close();
        }
    }
}
