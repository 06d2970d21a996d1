package io.netpoll.poller;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The fallback driver: a daemon thread that fires deadlines and blocks in the poller while no
 * scheduler is attached to {@link Netpoll}. Started lazily, the first time somebody parks; while
 * a scheduler is attached it parks and costs nothing.
 */
final class NetpollDriver implements Runnable {
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Netpoll netpoll;
    private volatile Thread thread;

    NetpollDriver(Netpoll netpoll) {
        this.netpoll = netpoll;
    }

    Thread thread() {
        return thread;
    }

    void ensureRunning() {
        if (thread != null) {
            return;
        }
        synchronized (this) {
            if (thread == null) {
                Thread t = new Thread(this, "netpoll-driver");
                t.setDaemon(true);
                thread = t;
                t.start();
            }
        }
    }

    void unpark() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    @Override
    public void run() {
        for (;;) {
            if (netpoll.attachedDrivers() > 0) {
                LockSupport.park(this);
                continue;
            }
            try {
                long delay = netpoll.runDeadlines(System.nanoTime());
                if (netpoll.tryPoll(delay) < 0) {
                    // Another thread is blocked in the poller; keep firing deadlines meanwhile.
                    LockSupport.parkNanos(this, delay >= 0 ? Math.min(delay, RETRY_NANOS) : RETRY_NANOS);
                }
            } catch (Throwable t) {
                // The driver must outlive any failure, or every waiter in the process hangs.
                Thread self = Thread.currentThread();
                self.getUncaughtExceptionHandler().uncaughtException(self, t);
                LockSupport.parkNanos(this, RETRY_NANOS);
            }
        }
    }
}
