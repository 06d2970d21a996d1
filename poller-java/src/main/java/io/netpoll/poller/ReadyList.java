package io.netpoll.poller;

/**
 * The waiters one poll made runnable, handed back to whoever polled (Go's gList, returned by
 * netpoll to findRunnable, which injects it). {@link Netpoll#poll(long, ReadyList)} fills it
 * instead of waking; the caller decides where they run, then {@link #wakeAll}. A scheduler that
 * polls without a processor can first take one, so the wakes land on it (Go's injectglist).
 *
 * <p>Linked through {@link Waiter}'s own link field, so collecting allocates nothing. One owner: the
 * thread that polls with it.
 */
public final class ReadyList {
    private Waiter head;
    private Waiter tail;
    private int size;

    /** How many waiters are waiting to be woken. */
    public int size() {
        return size;
    }

    void add(Waiter w) {
        if (tail == null) {
            head = w;
        } else {
            tail.next = w;
        }
        tail = w;
        size++;
    }

    /** Wakes every waiter, in the order the poll found them, on the calling thread; empties the list. */
    public void wakeAll() {
        Waiter w = head;
        head = null;
        tail = null;
        size = 0;
        while (w != null) {
            Waiter next = w.next;
            w.next = null;
            PollDesc.wake(w);
            w = next;
        }
    }
}
