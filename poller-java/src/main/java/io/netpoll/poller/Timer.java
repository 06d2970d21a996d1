package io.netpoll.poller;

/**
 * An entry of a {@link TimerHeap}: a point in {@link System#nanoTime()} time and an action.
 * Type-stable: a timer object is reused across arm/cancel cycles and never allocated on the hot path.
 */
public abstract class Timer {
    long when;
    int heapIndex = -1;

    /** When this timer is due, in {@link System#nanoTime()} time; meaningful while it is in a heap. */
    public final long when() {
        return when;
    }

    /** Runs on the thread that drains the heap, after the timer has been removed; must not block. */
    protected abstract void fire(long nowNanos);
}
