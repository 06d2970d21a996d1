package io.netpoll.poller;

import java.util.concurrent.locks.LockSupport;

/**
 * A waiter that parks the calling thread (platform or virtual) with {@link LockSupport}. One per
 * thread, reused for every wait, so a blocking call allocates nothing.
 */
public final class ThreadWaiter extends Waiter {
    private static final ThreadLocal<ThreadWaiter> CURRENT = ThreadLocal.withInitial(ThreadWaiter::new);

    private final Thread thread = Thread.currentThread();

    private ThreadWaiter() {}

    /** The calling thread's waiter. */
    public static ThreadWaiter current() {
        return CURRENT.get();
    }

    public Thread thread() {
        return thread;
    }

    @Override
    public void wake() {
        LockSupport.unpark(thread);
    }
}
