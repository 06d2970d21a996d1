package io.netpoll.poller.fd;

import io.netpoll.poller.PollDesc;
import io.netpoll.poller.Waiter;
import io.netpoll.poller.jfr.IoWaitEvent;
import io.netpoll.poller.jfr.PollerEvents;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;

/**
 * One operation on one direction of a {@link NetFD}: the I/O loop of Go's FD.Read, FD.Write,
 * FD.Accept, FD.ReadFrom, FD.WriteTo and netFD.connect, written once for every way of waiting.
 *
 * <h2>The loop</h2>
 * <pre>
 *   START    take the direction's lock in the {@link FdMutex}, or queue behind its holder (QUEUED);
 *            a connect takes a reference and starts instead, then waits (no prepare: its
 *            readiness may already be recorded, and no syscall would observe it again)
 *   ATTEMPT  one syscall ({@link Syscalls}), after {@link PollDesc#prepare}; done unless EAGAIN
 *   WAIT     {@link PollDesc#waitFor}: readiness already recorded → ATTEMPT; else PARKED
 *   PARKED   woken: {@link PollDesc#resume} → ATTEMPT, or WAIT again when a deadline moved
 * </pre>
 * A read goes to WAIT before its first attempt when an attempt could only say EAGAIN: its caller
 * has just seen EAGAIN itself ({@code waitFirst}), or the last read drained the socket and no
 * readiness was recorded since ({@link #skipAttempt}). A close, a deadline or an event error comes
 * back from the mutex or the PollDesc as a result that {@link NetFD#check} throws. An error leaves
 * the loop named after its operation and addresses ({@link OpError}).
 *
 * <h2>Ways to wait</h2>
 * The loop never blocks. Where it must wait it publishes the operation (a lock-queue node, or the
 * PollDesc slot) and returns {@link #PARKED}. {@link #wake} (called once per park, by the poller,
 * a deadline, {@code close} or the lock's previous holder) hands it back through
 * {@link #handBack}, and the owner calls {@link #proceed}. The subclasses differ only there:
 * {@link ThreadOp} parks the calling thread, {@link FutureOp} runs on an executor, and net-kt's
 * SuspendingOp resumes a coroutine on its dispatcher. Each instance is reused for operation after
 * operation (one per thread, or one per descriptor direction), so waiting allocates nothing.
 *
 * <h2>Ownership</h2>
 * The low bits of {@code state} say who may run the loop; the high bits are a generation, bumped
 * by every {@link #start}, so a late CAS cannot claim a later operation:
 * <pre>
 *   RUNNING    a thread is inside the loop: the only one that attempts, so the only one that
 *              takes bytes
 *   SUSPENDED  published, and nobody runs it
 *   WOKEN      the wake came while the owner was still publishing: the owner goes on itself
 *   HANDED     woken and handed back to the owner, which has not run it yet
 *   WITHDRAWN  ended without a result; never reused (a lock-queue wake may still come)
 * </pre>
 * Every wait publishes first and then moves RUNNING → SUSPENDED, so a wake either finds SUSPENDED
 * (→ HANDED, hand back) or RUNNING (→ WOKEN, the owner sees it).
 *
 * <h2>Withdrawal (cancel, interrupt, a future completed from outside)</h2>
 * Nothing is ever taken by an operation nobody waits for. The owner asks {@link #wantsOut} before
 * every attempt and after publishing a wait, and ends with {@link #WITHDRAWN} when it says yes.
 * From another thread, {@link #withdraw} claims a SUSPENDED or HANDED operation: it is taken out
 * of the PollDesc slot ({@link PollDesc#cancelWait}; if the poller removed it first, its wake finds
 * WITHDRAWN and does nothing) and gives back its lock; a lock-queue node cannot be removed, so the
 * lock handed to it later goes back in {@link #wake}. A RUNNING operation cannot be claimed; its
 * owner sees the request at its next step. Readiness that a withdrawn read had already consumed
 * is given back by forgetting the drained-socket hint, so the next read tries the syscall.
 */
public abstract class IoOp extends Waiter {
    /** Operation kinds ({@link #start}); the first four read, the rest write. */
    public static final int READ = 0;
    public static final int READV = 1;
    public static final int PEEK = 2;
    public static final int ACCEPT = 3;
    public static final int RECV_FROM = 4;
    public static final int WRITE = 5;
    public static final int WRITEV = 6;
    public static final int SEND_TO = 7;
    public static final int CONNECT = 8;
    /** The kinds' names, as JFR's {@link IoWaitEvent} reports them. */
    private static final String[] KIND_NAMES = {"read", "readv", "peek", "accept", "recvfrom", "write", "writev", "sendto", "connect"};

    /** Results of {@link #start} and {@link #proceed}: finished; the values are in {@link #count()}/{@link #value()}. */
    protected static final int DONE = 0;
    /** Waiting: {@link #handBack} will be called once. */
    protected static final int PARKED = 1;
    /** {@link #wantsOut} said yes: ended with nothing taken. */
    protected static final int WITHDRAWN = 2;
    /**
     * {@link #proceed}: {@link #withdraw} claimed it after its hand-back, so this resumption ends it
     * for the withdrawal. {@link #withdraw}: claimed after its hand-back.
     */
    protected static final int CLAIMED = 3;
    /** {@link #withdraw}: not claimed: it is running (its owner sees {@link #wantsOut} next) or over. */
    protected static final int BUSY = 4;
    private static final int GO_ON = -1;

    /** {@link #readNow}: the lock is busy. */
    public static final int NOT_NOW = Integer.MIN_VALUE;
    /** {@link #readNow}: the socket had no data. */
    public static final int NO_DATA = Integer.MIN_VALUE + 1;

    private static final int START = 0;
    private static final int QUEUED = 1;
    private static final int ATTEMPT = 2;
    private static final int WAIT = 3;
    private static final int STAGE_PARKED = 4;

    private static final int RUNNING = 0;
    private static final int SUSPENDED = 1;
    private static final int WOKEN = 2;
    private static final int HANDED = 3;
    private static final int GONE = 4;
    private static final int BITS = 7;
    private static final int GENERATION = ~BITS;
    private static final int GENERATION_STEP = 8;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(IoOp.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // The operation: written by whoever runs the loop, handed on with state.
    private NetFD fd;
    private int kind;
    private boolean read;
    private int mode;
    private ByteBuffer buf;
    private ByteBuffer[] bufs;
    private SocketAddress target;
    private boolean waitFirst;
    private int stage;
    private boolean holds;
    private FdMutex.Node node;
    private long count;
    private Object value;
    /** The readiness wait in progress, while JFR records {@link IoWaitEvent}s; otherwise null. */
    private IoWaitEvent waitEvent;
    private volatile int state;

    protected IoOp() {}

    // ---- the owner's side ----------------------------------------------------------------------

    /**
     * Begins operation {@code kind} (a buffer, buffers, or a target address, as the kind needs) and
     * runs it until it ends or must wait. {@code waitFirst}: the caller has just seen EAGAIN, so a
     * read waits for readiness before it tries. Returns {@link #DONE}, {@link #PARKED} or
     * {@link #WITHDRAWN}; throws the operation's error.
     */
    protected final int start(NetFD fd, int kind, ByteBuffer buf, ByteBuffer[] bufs, SocketAddress target, boolean waitFirst)
            throws IOException {
        // hot path: no allocation
        this.fd = fd;
        this.kind = kind;
        this.read = kind < WRITE;
        this.mode = read ? PollDesc.MODE_READ : PollDesc.MODE_WRITE;
        this.buf = buf;
        this.bufs = bufs;
        this.target = target;
        this.waitFirst = waitFirst;
        this.stage = START;
        this.count = 0;
        this.value = null;
        this.waitEvent = null;
        state = (state & GENERATION) + GENERATION_STEP;
        return loop();
    }

    /** After {@link #handBack}: runs on from where the operation waited. Same results as {@link #start}, or {@link #CLAIMED}. */
    protected final int proceed() throws IOException {
        int s = state;
        if ((s & BITS) != HANDED || !STATE.compareAndSet(this, s, (s & GENERATION) | RUNNING)) {
            return CLAIMED;
        }
        return loop();
    }

    /** The state word, for {@link #withdraw(int)}. */
    protected final int snapshot() {
        return state;
    }

    /** Whether the operation is published and not yet woken (a parked thread checks this after each unpark). */
    protected final boolean isSuspended() {
        return (state & BITS) == SUSPENDED;
    }

    /** What a finished operation counted: bytes read (-1 at end of stream), written or sent. */
    protected final long count() {
        return count;
    }

    /** What a finished accept or receive produced: the {@link NetFD}, or the sender's address. */
    protected final Object value() {
        return value;
    }

    /** The descriptor's kind of operation now running. */
    protected final int kind() {
        return kind;
    }

    /** Hands a woken operation back to its owner, who then calls {@link #proceed}; must not run it here. */
    protected abstract void handBack();

    /** Whether the owner wants the operation to end now with nothing taken (cancelled, interrupted). */
    protected abstract boolean wantsOut();

    // ---- the loop ------------------------------------------------------------------------------

    private int loop() throws IOException {
        try {
            for (;;) {
                switch (stage) {
                    case START:
                        if (wantsOut()) {
                            return withdrawnByOwner();
                        }
                        if (kind == CONNECT) {
                            fd.incref();
                            holds = true;
                            if (fd.syscalls.connectStart(target)) {
                                return finish();
                            }
                            stage = WAIT;
                        } else if (fd.mu.tryRwlock(read)) {
                            locked();
                        } else {
                            FdMutex.Node n = new FdMutex.Node(this);
                            node = n;
                            stage = QUEUED;
                            if (fd.mu.rwlockAsync(read, n)) {
                                node = null;
                                locked();
                            } else if (n.result() == FdMutex.CLOSED_BEFORE) {
                                node = null;
                                throw new ClosedChannelException();
                            } else {
                                int p = park();
                                if (p != GO_ON) {
                                    return p;
                                }
                            }
                        }
                        break;
                    case QUEUED: {
                        int r = node.result();
                        node = null;
                        if (r != FdMutex.ACQUIRED) {
                            throw new AsynchronousCloseException();
                        }
                        locked();
                        break;
                    }
                    case ATTEMPT:
                        if (wantsOut()) {
                            return withdrawnByOwner();
                        }
                        if (attempt()) {
                            return finish();
                        }
                        stage = WAIT;
                        break;
                    case WAIT: {
                        // Timed from before the park: once parked, the operation may already be
                        // another thread's. A wait that ends without parking is not one.
                        boolean timed = waitEvent == null && PollerEvents.ioWait();
                        if (timed) {
                            waitEvent = IoWaitEvent.start();
                        }
                        int r = fd.pd.waitFor(mode, this);
                        if (r == PollDesc.PARKED) {
                            stage = STAGE_PARKED;
                            int p = park();
                            if (p != GO_ON) {
                                return p;
                            }
                        } else if (r != PollDesc.AGAIN) {
                            if (timed) {
                                waitEvent = null;
                            } else {
                                endWait(r);
                            }
                            fd.check(r);
                            if (waited()) {
                                return finish();
                            }
                        }
                        break;
                    }
                    default: { // STAGE_PARKED
                        int r = fd.pd.resume(mode);
                        if (r == PollDesc.AGAIN) {
                            stage = WAIT;
                        } else {
                            endWait(r);
                            fd.check(r);
                            if (waited()) {
                                return finish();
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            IOException named = OpError.of(OpError.opName(kind), fd, target, e);
            releaseHold();
            forget();
            throw named;
        } catch (Throwable e) {
            releaseHold();
            forget();
            throw e;
        }
    }

    /** The lock is held: prepare and attempt, or wait first where an attempt could only say EAGAIN. */
    private void locked() throws IOException {
        holds = true;
        if (kind == READ ? !buf.hasRemaining() : kind == READV && Iovecs.remaining(bufs) == 0) {
            stage = ATTEMPT; // reads nothing and returns 0, before any error (Go's FD.Read)
            return;
        }
        if (waitFirst || ((kind == READ || kind == PEEK) && skipAttempt(fd))) {
            stage = WAIT;
            return;
        }
        fd.check(fd.pd.prepare(mode));
        stage = ATTEMPT;
    }

    /**
     * Readiness came: true if that ends the operation (a PEEK does not probe again, see
     * {@link NetFD#awaitReadable}); otherwise the next step is an attempt.
     */
    private boolean waited() {
        if (kind == PEEK) {
            fd.syscalls.readDrained = false;
            return true;
        }
        stage = ATTEMPT;
        return false;
    }

    /** One attempt; true if the operation is finished. */
    private boolean attempt() throws IOException {
        // hot path: no allocation
        Syscalls sys = fd.syscalls;
        switch (kind) {
            case READ: {
                int n = buf.hasRemaining() ? sys.read(buf) : 0;
                count = n;
                return n != NetFD.EAGAIN;
            }
            case READV: {
                long n = Iovecs.remaining(bufs) > 0 ? sys.readv(bufs) : 0;
                count = n;
                return n != NetFD.EAGAIN;
            }
            case PEEK:
                return sys.peek() != NetFD.EAGAIN;
            case ACCEPT:
                value = sys.accept();
                return value != null;
            case RECV_FROM:
                value = sys.recvFrom(buf);
                return value != null;
            case WRITE:
                while (buf.hasRemaining()) {
                    int n = sys.write(buf);
                    if (n == NetFD.EAGAIN) {
                        return false;
                    }
                    count += n;
                }
                return true;
            case WRITEV:
                while (Iovecs.remaining(bufs) > 0) {
                    long n = sys.writev(bufs);
                    if (n == NetFD.EAGAIN) {
                        return false;
                    }
                    count += n;
                }
                return true;
            case SEND_TO: {
                int n = sys.sendTo(buf, target);
                count = n;
                return n != NetFD.EAGAIN;
            }
            default:
                return sys.connectFinish();
        }
    }

    private int finish() throws IOException {
        if (kind == CONNECT) {
            fd.pd.clearDeadline(PollDesc.MODE_WRITE);
            fd.connected(target);
        }
        releaseHold();
        forget();
        return DONE;
    }

    /** The owner saw {@link #wantsOut} while running: nothing is published, so nobody else can claim it. */
    private int withdrawnByOwner() {
        state = (state & GENERATION) | GONE;
        if (read && holds) {
            fd.syscalls.readDrained = false;
        }
        releaseHold();
        return WITHDRAWN;
    }

    private void releaseHold() {
        if (holds) {
            holds = false;
            if (kind == CONNECT) {
                fd.decref();
            } else {
                unlock();
            }
        }
    }

    private void unlock() {
        if (read) {
            fd.readUnlock();
        } else {
            fd.writeUnlock();
        }
    }

    /**
     * The readiness wait, which parked, ended with {@code result} (a {@link PollDesc} result, or
     * {@link IoWaitEvent#WITHDRAWN}): records it if it was timed.
     */
    private void endWait(int result) {
        IoWaitEvent e = waitEvent;
        if (e != null) {
            waitEvent = null;
            e.finish(fd.pd.fd(), mode, KIND_NAMES[kind], result);
        }
    }

    /** Drops the buffers once the operation is over, so a kept operation holds on to nothing. */
    private void forget() {
        buf = null;
        bufs = null;
        target = null;
    }

    // ---- waiting and waking --------------------------------------------------------------------

    /**
     * Published to a lock queue or a slot: RUNNING → SUSPENDED. Returns {@link #PARKED}, or
     * {@code GO_ON} if the wake already came, or {@link #WITHDRAWN} if the owner wants out.
     */
    private int park() {
        int s = state;
        int gen = s & GENERATION;
        if (!STATE.compareAndSet(this, gen | RUNNING, gen | SUSPENDED)) {
            state = gen | RUNNING; // WOKEN: the wake is ours to act on
            return GO_ON;
        }
        if (wantsOut() && STATE.compareAndSet(this, gen | SUSPENDED, gen | GONE)) {
            unpublish(false);
            return WITHDRAWN;
        }
        return PARKED;
    }

    /** Taken out of the lock queue or the PollDesc slot (exactly once per park). */
    @Override
    public final void wake() {
        for (;;) {
            int s = state;
            int gen = s & GENERATION;
            switch (s & BITS) {
                case RUNNING:
                    if (STATE.compareAndSet(this, s, gen | WOKEN)) {
                        return;
                    }
                    break;
                case SUSPENDED:
                    if (STATE.compareAndSet(this, s, gen | HANDED)) {
                        handBack();
                        return;
                    }
                    break;
                default:
                    // GONE: nobody wants what the wake brings; a lock handed over goes back.
                    if (stage == QUEUED && node.result() == FdMutex.ACQUIRED) {
                        unlock();
                    }
                    return;
            }
        }
    }

    /**
     * Claims a waiting operation for its owner's withdrawal, from any thread; a claimed operation
     * has taken nothing and has given back its lock. Returns {@link #WITHDRAWN} if it was waiting
     * (no hand-back will come: the caller ends it), {@link #CLAIMED} if it had been handed back
     * and not run yet (that resumption's {@link #proceed} says CLAIMED and may end it instead), or
     * {@link #BUSY}.
     */
    protected final int withdraw() {
        return withdraw(state);
    }

    /**
     * {@link #withdraw()}, only if the state is still {@code seen} (from {@link #snapshot}): for a
     * withdrawer that must check something about the operation first, such as which job it waits
     * for, without claiming a later operation (the generation in the state tells them apart).
     */
    protected final int withdraw(int seen) {
        int s = seen;
        int bits = s & BITS;
        if ((bits != SUSPENDED && bits != HANDED) || !STATE.compareAndSet(this, s, (s & GENERATION) | GONE)) {
            return BUSY;
        }
        unpublish(bits == HANDED);
        return bits == HANDED ? CLAIMED : WITHDRAWN;
    }

    /** Takes a claimed operation out of where it waits. */
    private void unpublish(boolean woken) {
        if (stage == STAGE_PARKED) {
            endWait(IoWaitEvent.WITHDRAWN);
            if (!woken) {
                fd.pd.cancelWait(mode, this);
            }
            releaseHold();
        } else if (stage == QUEUED && woken && node.result() == FdMutex.ACQUIRED) {
            unlock(); // the lock was handed over before the claim; not woken, the wake gives it back
        }
    }

    // ---- without waiting -----------------------------------------------------------------------

    /**
     * The read, if it completes without waiting for the lock or for data: bytes read, 0 if
     * {@code dst} has no room, -1 at end of stream; otherwise, with nothing consumed, {@link #NOT_NOW}
     * (the lock is busy) or {@link #NO_DATA} (nothing to read: a read that follows may wait first).
     */
    public static int readNow(NetFD fd, ByteBuffer dst) throws IOException {
        // hot path: no allocation
        if (!fd.mu.tryRwlock(true)) {
            return NOT_NOW;
        }
        int n;
        try {
            if (!dst.hasRemaining()) {
                n = 0;
            } else if (skipAttempt(fd)) {
                // It still fails as the read would (deadline passed, closed), and leaves any
                // readiness recorded meanwhile for the next read.
                fd.check(fd.pd.checkErr(PollDesc.MODE_READ));
                n = NetFD.EAGAIN;
            } else {
                fd.check(fd.pd.prepare(PollDesc.MODE_READ));
                n = fd.syscalls.read(dst);
            }
        } catch (IOException e) {
            throw OpError.of("read", fd, null, e);
        } finally {
            fd.readUnlock();
        }
        return n == NetFD.EAGAIN ? NO_DATA : n;
    }

    /**
     * Writes what the socket takes without waiting for the lock or for buffer space; true if
     * {@code src} is now empty, otherwise the rest is left in it.
     */
    public static boolean writeNow(NetFD fd, ByteBuffer src) throws IOException {
        // hot path: no allocation
        if (!fd.mu.tryRwlock(false)) {
            return false;
        }
        try {
            fd.check(fd.pd.prepare(PollDesc.MODE_WRITE));
            while (src.hasRemaining()) {
                if (fd.syscalls.write(src) == NetFD.EAGAIN) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            throw OpError.of("write", fd, null, e);
        } finally {
            fd.writeUnlock();
        }
    }

    /**
     * After a short read (the socket gave all it had), with no readiness recorded since and no
     * hang-up seen (the peer's FIN or a reset gives no later edge), a read attempt would only say
     * EAGAIN: wait first. Read lock held.
     */
    private static boolean skipAttempt(NetFD fd) {
        return fd.syscalls.readDrained && !fd.pd.isReady(PollDesc.MODE_READ) && !fd.pd.hungUp();
    }
}
