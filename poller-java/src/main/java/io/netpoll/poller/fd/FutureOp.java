package io.netpoll.poller.fd;

import io.netpoll.poller.Waiter;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The I/O loop ({@link IoOp}) for a {@link CompletableFuture} caller: the first steps run on the
 * calling thread, and each wake hands the operation to {@code executor}, never running it on the
 * poller's thread. One per call.
 *
 * <p>Completing the future from outside (cancel, complete, completeExceptionally, hence orTimeout
 * and completeOnTimeout) withdraws the operation, as cancelling a coroutine does: a waiting one is
 * claimed at once ({@link IoOp#withdraw}) and the future takes the outside outcome; a running one
 * sees the request before its next attempt or wait, while the completing thread yields until it
 * has (those steps are short and never wait). An attempt that took bytes, a connection or an
 * accepted socket always completes the future with them, and then the outside completion fails.
 * A dial that ends without a connection closes its socket.
 */
final class FutureOp<T> extends IoOp implements Runnable {
    private static final VarHandle WITHDRAWAL;

    static {
        try {
            WITHDRAWAL = MethodHandles.lookup().findVarHandle(FutureOp.class, "withdrawal", Outcome.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final NetFD fd;
    private final int kind;
    private final Executor executor;
    private final Result future = new Result();
    /** The first completion from outside; the operation ends at its next step once it is set. */
    private volatile Outcome<T> withdrawal;
    /** Set before the future takes {@link #withdrawal}'s outcome. */
    private volatile boolean withdrawn;

    private FutureOp(NetFD fd, int kind, Executor executor) {
        this.fd = fd;
        this.kind = kind;
        this.executor = executor;
    }

    static <T> CompletableFuture<T> launch(NetFD fd, int kind, ByteBuffer buf, ByteBuffer[] bufs, SocketAddress target, Executor executor) {
        FutureOp<T> op = new FutureOp<>(fd, kind, executor);
        try {
            op.settle(op.start(fd, kind, buf, bufs, target, false));
        } catch (Throwable t) {
            op.fail(t);
        }
        return op.future;
    }

    @Override
    protected void handBack() {
        Waiter.execute(executor, this);
    }

    @Override
    public void run() {
        try {
            settle(proceed());
        } catch (Throwable t) {
            fail(t);
        }
    }

    @Override
    protected boolean wantsOut() {
        return withdrawal != null;
    }

    private void settle(int r) {
        if (r == DONE) {
            future.settle(result(), null);
        } else if (r == WITHDRAWN) {
            abandoned();
            Outcome<T> w = withdrawal;
            withdrawn = true;
            future.settle(w.value, w.error);
        }
        // PARKED: a wake follows; CLAIMED: the withdrawing thread settles
    }

    private void fail(Throwable t) {
        abandoned();
        future.settle(null, t);
    }

    @SuppressWarnings("unchecked")
    private T result() {
        switch (kind) {
            case READ:
            case WRITE:
            case SEND_TO:
                return (T) Integer.valueOf((int) count());
            case READV:
            case WRITEV:
                return (T) Long.valueOf(count());
            case CONNECT:
                return (T) fd;
            default:
                return (T) value();
        }
    }

    /** The operation ends without its result: a dial closes the socket it made. */
    private void abandoned() {
        if (kind == CONNECT) {
            fd.close();
        }
    }

    /** A completion from outside; true if {@code outcome} is now the future's. */
    private boolean withdrawWith(Outcome<T> outcome) {
        if (future.isDone() || !WITHDRAWAL.compareAndSet(this, null, outcome)) {
            return false;
        }
        for (;;) {
            if (withdraw() != BUSY) {
                abandoned();
                withdrawn = true;
                return future.settle(outcome.value, outcome.error);
            }
            if (future.isDone()) {
                return withdrawn;
            }
            Thread.yield(); // running: it sees the withdrawal at its next step
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

    /** The caller's future: completing it from outside withdraws the operation first. */
    private final class Result extends CompletableFuture<T> {
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return withdrawWith(new Outcome<>(null, new CancellationException())) || isCancelled();
        }

        @Override
        public boolean complete(T value) {
            return withdrawWith(new Outcome<>(value, null));
        }

        @Override
        public boolean completeExceptionally(Throwable ex) {
            if (ex == null) {
                throw new NullPointerException();
            }
            return withdrawWith(new Outcome<>(null, ex));
        }

        boolean settle(T value, Throwable error) {
            return error != null ? super.completeExceptionally(error) : super.complete(value);
        }
    }
}
