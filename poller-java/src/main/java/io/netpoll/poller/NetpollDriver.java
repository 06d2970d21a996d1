package io.netpoll.poller;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The fallback driver: a daemon thread that fires deadlines and blocks in the poller while no
 * scheduler is attached to {@link Netpoll}. Started lazily, the first time somebody parks or arms a
 * deadline; while a scheduler is attached it parks and costs nothing.
 *
 * <p>It also stops polling when there is nothing to drive: after a poll during which nobody parked,
 * with no waiter left and no deadline armed, it parks ({@code idle}) instead of blocking in the
 * poller, where every edge of a descriptor nobody waits for would wake it (and make the writer
 * that raised the edge pay for waking it). A park or an armed deadline unparks it. The handshake:
 * the driver sets {@code idle}, then reads the waiter word; a parker adds to the waiter word, then
 * reads {@code idle}; with both volatile, at least one of them sees the other, so no waiter is left
 * without a poller. Ping-pong traffic, where somebody parks between any two polls, never idles it.
 */
final class NetpollDriver implements Runnable {
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Netpoll netpoll;
    private volatile Thread thread;
    private volatile boolean idle;

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

    /** Called after a park or an armed deadline: a driver that stopped polling starts again. */
    void unparkIfIdle() {
        if (idle) {
            unpark();
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
                long parksBefore = netpoll.parksSoFar();
                if (netpoll.tryPoll(delay, null) < 0) {
                    // Another thread is blocked in the poller; keep firing deadlines meanwhile.
                    LockSupport.parkNanos(this, delay >= 0 ? Math.min(delay, RETRY_NANOS) : RETRY_NANOS);
                } else if (netpoll.nothingToDrive(parksBefore)) {
                    idle = true;
                    if (netpoll.nothingToDrive(parksBefore) && netpoll.attachedDrivers() == 0) {
                        LockSupport.park(this);
                    }
                    idle = false;
                }
            } catch (Throwable t) {
                // The driver must outlive any failure, or every waiter in the process hangs.
                System.getLogger(Netpoll.LOGGER).log(System.Logger.Level.ERROR, "netpoll driver: polling failed; retrying", t);
                LockSupport.parkNanos(this, RETRY_NANOS);
            }
        }
    }
}
