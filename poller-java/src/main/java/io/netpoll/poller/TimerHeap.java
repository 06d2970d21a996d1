package io.netpoll.poller;

import java.util.Arrays;

/**
 * A 4-ary min-heap of {@link Timer}s ordered by due time (Go's per-P timer heap uses the same
 * shape: shallower than a binary heap, so sift-up on insert touches fewer cache lines).
 *
 * <p>Not thread-safe: the owner serialises access (a lock in {@link Netpoll}, the P in the
 * dispatcher). Each timer records its index, so {@link #remove} and {@link #reset} are O(log n).
 * Times are compared as {@code a - b < 0} so nanoTime wrap-around is harmless.
 */
public final class TimerHeap {
    private Timer[] heap = new Timer[16];
    private int size;

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The earliest timer, or null. */
    public Timer peek() {
        return size == 0 ? null : heap[0];
    }

    /** Arms {@code t} at {@code whenNanos}, or moves it there if already armed in this heap. */
    public void reset(Timer t, long whenNanos) {
        if (t.heapIndex >= 0) {
            long old = t.when;
            t.when = whenNanos;
            if (whenNanos - old < 0) {
                siftUp(t.heapIndex);
            } else {
                siftDown(t.heapIndex);
            }
            return;
        }
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        t.when = whenNanos;
        t.heapIndex = size;
        heap[size++] = t;
        siftUp(t.heapIndex);
    }

    /** Disarms {@code t}; false if it was not armed. */
    public boolean remove(Timer t) {
        int i = t.heapIndex;
        if (i < 0) {
            return false;
        }
        int last = --size;
        Timer moved = heap[last];
        heap[last] = null;
        t.heapIndex = -1;
        if (i != last) {
            heap[i] = moved;
            moved.heapIndex = i;
            siftDown(i);
            siftUp(moved.heapIndex);
        }
        return true;
    }

    /** Removes and returns the earliest timer if it is due at {@code nowNanos}, else null. */
    public Timer pollDue(long nowNanos) {
        if (size == 0 || heap[0].when - nowNanos > 0) {
            return null;
        }
        Timer t = heap[0];
        remove(t);
        return t;
    }

    private void siftUp(int i) {
        Timer t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 2;
            Timer p = heap[parent];
            if (t.when - p.when >= 0) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = t;
        t.heapIndex = i;
    }

    private void siftDown(int i) {
        Timer t = heap[i];
        for (;;) {
            int first = 4 * i + 1;
            if (first >= size) {
                break;
            }
            int best = first;
            int end = Math.min(first + 4, size);
            for (int c = first + 1; c < end; c++) {
                if (heap[c].when - heap[best].when < 0) {
                    best = c;
                }
            }
            if (heap[best].when - t.when >= 0) {
                break;
            }
            heap[i] = heap[best];
            heap[i].heapIndex = i;
            i = best;
        }
        heap[i] = t;
        t.heapIndex = i;
    }
}
