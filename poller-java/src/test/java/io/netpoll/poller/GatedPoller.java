package io.netpoll.poller;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A backend passed through unchanged, except that after {@link #hold} its next poll that may wait
 * stops at the door until {@link #release}: Netpoll has already marked that thread blocked, but the
 * kernel has not seen it wait yet. A test can then act in that window, which a real poller passes
 * through in microseconds.
 */
final class GatedPoller extends ForwardingPoller {
    private volatile boolean holding;
    private volatile CountDownLatch arrived;
    private volatile CountDownLatch door;

    GatedPoller(Poller backend) {
        super(backend);
    }

    void hold() {
        arrived = new CountDownLatch(1);
        door = new CountDownLatch(1);
        holding = true;
    }

    /** Waits until a poll stands at the door; false if none came within 5 s. */
    boolean awaitHeld() throws InterruptedException {
        return arrived.await(5, TimeUnit.SECONDS);
    }

    void release() {
        door.countDown();
    }

    @Override
    public int poll(long timeoutNanos, boolean blocking, ReadySink sink) {
        if (timeoutNanos != 0 && holding) {
            holding = false;
            CountDownLatch d = door;
            arrived.countDown();
            boolean interrupted = false;
            for (;;) {
                try {
                    d.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return backend.poll(timeoutNanos, blocking, sink);
    }
}
