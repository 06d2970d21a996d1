package io.netpoll.poller.fd;

import io.netpoll.poller.Waiter;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;

/**
 * Serialises reads with reads and writes with writes on one descriptor, and keeps the OS fd open
 * until the last operation in flight has left (Go's internal/poll fdMutex).
 *
 * <h2>State word</h2>
 * <pre>
 *  bit 0       closed      set once by {@link #increfAndClose}
 *  bit 1       read lock   held by the one reader in flight
 *  bit 2       write lock  held by the one writer in flight
 *  bits 3-22   references  operations in flight or queued, plus the closer while it closes
 *  bits 23-42  queued readers
 *  bits 43-62  queued writers
 * </pre>
 * The uncontended paths are one CAS each. A caller that finds its lock taken counts itself as
 * queued and enqueues a {@link Node} under the monitor; unlock hands the lock directly to the first
 * node (the lock bit never drops, so no barging), and close fails every queued node. Both the
 * queued count and the queue change under the monitor, so an unlocker that sees a queued count
 * always finds the node.
 *
 * <p>When the last reference leaves a closed mutex, {@link #decref} / {@link #rwunlock} return true
 * and the caller destroys the fd; nobody else can still be using it.
 */
public final class FdMutex {
    private static final long CLOSED = 1L;
    private static final long RLOCK = 1L << 1;
    private static final long WLOCK = 1L << 2;
    private static final long REF = 1L << 3;
    private static final long REF_MASK = ((1L << 20) - 1) << 3;
    private static final long RWAIT = 1L << 23;
    private static final long RWAIT_MASK = ((1L << 20) - 1) << 23;
    private static final long WWAIT = 1L << 43;
    private static final long WWAIT_MASK = ((1L << 20) - 1) << 43;

    /** {@link #rwlockAsync} outcomes ({@link Node#result()}). */
    public static final int ACQUIRED = 0;
    public static final int CLOSED_BEFORE = 1;
    public static final int CLOSED_WHILE_QUEUED = 2;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(FdMutex.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The answer to a lock request made after close; shared, already decided. */
    private static final Node CLOSED_NODE = new Node(null, CLOSED_BEFORE);

    private volatile long state;
    private final ArrayDeque<Node> readQueue = new ArrayDeque<>(0);
    private final ArrayDeque<Node> writeQueue = new ArrayDeque<>(0);

    /** A queued lock request; allocated only on contention. */
    public static final class Node {
        static final int PENDING = -1;
        final Waiter waiter;
        volatile int result;

        public Node(Waiter waiter) {
            this(waiter, PENDING);
        }

        private Node(Waiter waiter, int result) {
            this.waiter = waiter;
            this.result = result;
        }

        /** {@link #ACQUIRED}, {@link #CLOSED_WHILE_QUEUED}, or -1 while still queued. */
        public int result() {
            return result;
        }
    }

    public boolean isClosed() {
        return (state & CLOSED) != 0;
    }

    /** Adds a reference for an operation that needs no lock (setsockopt, shutdown). */
    public boolean incref() {
        for (;;) {
            long old = state;
            if ((old & CLOSED) != 0) {
                return false;
            }
            long next = old + REF;
            if ((next & REF_MASK) == 0) {
                throw new IllegalStateException("too many concurrent operations on one descriptor");
            }
            if (STATE.compareAndSet(this, old, next)) {
                return true;
            }
        }
    }

    /** Drops a reference; true if the mutex is closed and this was the last one (destroy the fd). */
    public boolean decref() {
        for (;;) {
            long old = state;
            if ((old & REF_MASK) == 0) {
                throw new IllegalStateException("fdMutex: inconsistent decref");
            }
            long next = old - REF;
            if (STATE.compareAndSet(this, old, next)) {
                return (next & (CLOSED | REF_MASK)) == CLOSED;
            }
        }
    }

    /**
     * Marks the mutex closed, takes a reference for the closer and fails every queued caller.
     * False if it was already closed (a second close is a no-op for the caller).
     */
    public boolean increfAndClose() {
        for (;;) {
            long old = state;
            if ((old & CLOSED) != 0) {
                return false;
            }
            long next = (old | CLOSED) + REF;
            if ((next & REF_MASK) == 0) {
                throw new IllegalStateException("too many concurrent operations on one descriptor");
            }
            if (STATE.compareAndSet(this, old, next)) {
                break;
            }
        }
        Node[] failed;
        synchronized (this) {
            int n = readQueue.size() + writeQueue.size();
            failed = new Node[n];
            int i = 0;
            for (Node node; (node = readQueue.pollFirst()) != null; ) {
                failed[i++] = node;
                add(-RWAIT - REF);
            }
            for (Node node; (node = writeQueue.pollFirst()) != null; ) {
                failed[i++] = node;
                add(-WWAIT - REF);
            }
        }
        for (Node node : failed) {
            node.result = CLOSED_WHILE_QUEUED;
            node.waiter.wake();
        }
        return true;
    }

    private void add(long delta) {
        for (;;) {
            long old = state;
            if (STATE.compareAndSet(this, old, old + delta)) {
                return;
            }
        }
    }

    /**
     * The asynchronous form. Returns true when the lock was taken at once. Otherwise {@code node}
     * is either queued (its waiter is woken once {@link Node#result()} is decided; the caller must
     * not touch the node's owner after this returns) or already decided as {@link #CLOSED_BEFORE}
     * (no wake follows).
     */
    public boolean rwlockAsync(boolean read, Node node) {
        if (tryAcquire(read)) {
            return true;
        }
        Node queued = enqueue(read, node);
        if (queued == null) {
            return true;
        }
        if (queued == CLOSED_NODE) {
            node.result = CLOSED_BEFORE;
        }
        return false;
    }

    /**
     * Takes the read or write lock and a reference only if that is possible at once, never queueing:
     * the fast path of callers that fall back to {@link #rwlockAsync} when it fails.
     */
    public boolean tryRwlock(boolean read) {
        // hot path: no allocation
        return tryAcquire(read);
    }

    private boolean tryAcquire(boolean read) {
        long lockBit = read ? RLOCK : WLOCK;
        long old = state;
        return (old & (CLOSED | lockBit)) == 0 && STATE.compareAndSet(this, old, (old | lockBit) + REF);
    }

    /** Slow path: acquire under the monitor, or count and enqueue {@code node}. Null means acquired. */
    private Node enqueue(boolean read, Node node) {
        long lockBit = read ? RLOCK : WLOCK;
        long wait = read ? RWAIT : WWAIT;
        long waitMask = read ? RWAIT_MASK : WWAIT_MASK;
        synchronized (this) {
            for (;;) {
                long old = state;
                if ((old & CLOSED) != 0) {
                    return CLOSED_NODE;
                }
                if ((old & lockBit) == 0) {
                    if (STATE.compareAndSet(this, old, (old | lockBit) + REF)) {
                        return null;
                    }
                    continue;
                }
                long next = old + wait + REF;
                if ((next & waitMask) == 0 || (next & REF_MASK) == 0) {
                    throw new IllegalStateException("too many concurrent operations on one descriptor");
                }
                if (STATE.compareAndSet(this, old, next)) {
                    (read ? readQueue : writeQueue).addLast(node);
                    return node;
                }
            }
        }
    }

    /**
     * Releases the lock taken by {@link #tryRwlock} or {@link #rwlockAsync}: hands it to the next queued caller if any.
     * Returns true if the mutex is closed and this was the last reference (destroy the fd).
     */
    public boolean rwunlock(boolean read) {
        long lockBit = read ? RLOCK : WLOCK;
        long waitMask = read ? RWAIT_MASK : WWAIT_MASK;
        for (;;) {
            long old = state;
            if ((old & lockBit) == 0 || (old & REF_MASK) == 0) {
                throw new IllegalStateException("fdMutex: inconsistent unlock");
            }
            if ((old & waitMask) == 0) {
                long next = (old & ~lockBit) - REF;
                if (STATE.compareAndSet(this, old, next)) {
                    return (next & (CLOSED | REF_MASK)) == CLOSED;
                }
                continue;
            }
            Node handed = null;
            synchronized (this) {
                long now = state;
                if ((now & waitMask) != 0) {
                    // The lock bit stays set: ownership passes to the node, whose reference was
                    // counted when it queued.
                    handed = (read ? readQueue : writeQueue).pollFirst();
                    add(-(read ? RWAIT : WWAIT) - REF);
                }
            }
            if (handed == null) {
                continue;
            }
            handed.result = ACQUIRED;
            handed.waiter.wake();
            return false;
        }
    }
}
