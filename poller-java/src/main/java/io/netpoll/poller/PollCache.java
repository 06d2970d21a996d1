package io.netpoll.poller;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The pool of {@link PollDesc}s (Go's pollCache). Descriptors are never freed to the GC: a
 * {@code PollDesc} keeps its {@code id} for the life of the process, so the poller can find it from
 * the id carried in an event without any object pointer crossing into the kernel.
 */
final class PollCache {
    private final Netpoll netpoll;
    private final ArrayDeque<PollDesc> free = new ArrayDeque<>();
    private volatile PollDesc[] table = new PollDesc[64];
    private int allocated;

    PollCache(Netpoll netpoll) {
        this.netpoll = netpoll;
    }

    synchronized PollDesc alloc() {
        PollDesc pd = free.pollFirst();
        if (pd != null) {
            return pd;
        }
        PollDesc[] t = table;
        if (allocated == t.length) {
            t = Arrays.copyOf(t, t.length * 2);
        }
        pd = new PollDesc(netpoll, allocated);
        t[allocated++] = pd;
        table = t;
        return pd;
    }

    synchronized void free(PollDesc pd) {
        free.addLast(pd);
    }

    /** The descriptor with {@code id}, or null; lock-free, called by the poller for every event. */
    PollDesc lookup(int id) {
        PollDesc[] t = table;
        return id >= 0 && id < t.length ? t[id] : null;
    }

    synchronized int inUse() {
        return allocated - free.size();
    }
}
