package io.netpoll.poller.fd;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

/**
 * The I/O loop ({@link IoOp}) for a blocking caller: the calling thread runs it and parks while it
 * waits (Go's gopark on a pollDesc; a virtual thread releases its carrier). One per thread, reused
 * for every call, so a blocking call allocates nothing.
 *
 * <p>An interrupt ends a wait: the operation is withdrawn with nothing taken, and the call throws
 * {@link InterruptedIOException} with the interrupt status kept. A thread already interrupted fails
 * the same way before its attempt.
 */
final class ThreadOp extends IoOp {
    private static final ThreadLocal<ThreadOp> CURRENT = ThreadLocal.withInitial(ThreadOp::new);

    private final Thread thread = Thread.currentThread();

    private ThreadOp() {}

    /** Runs operation {@code kind} on the calling thread until it ends; read the outcome from the op. */
    static ThreadOp run(NetFD fd, int kind, ByteBuffer buf, ByteBuffer[] bufs, SocketAddress target) throws IOException {
        // hot path: no allocation
        ThreadOp op = CURRENT.get();
        int r = op.start(fd, kind, buf, bufs, target, false);
        while (r == PARKED) {
            LockSupport.park(op);
            if (!op.isSuspended()) {
                r = op.proceed();
            } else if (op.thread.isInterrupted() && op.withdraw() != BUSY) {
                r = WITHDRAWN;
            }
        }
        if (r == WITHDRAWN) {
            CURRENT.remove(); // a withdrawn op may still get a late wake; the next call takes a new one
            throw new InterruptedIOException("interrupted while waiting for I/O");
        }
        return op;
    }

    @Override
    protected void handBack() {
        LockSupport.unpark(thread);
    }

    @Override
    protected boolean wantsOut() {
        return thread.isInterrupted();
    }
}
