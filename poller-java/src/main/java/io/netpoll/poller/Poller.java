package io.netpoll.poller;

import java.io.Closeable;
import java.io.IOException;

/**
 * The contract every OS backend meets (Go's netpollinit / netpollopen / netpollclose / netpoll /
 * netpollBreak). One instance per process, owned by {@link Netpoll}.
 *
 * <ul>
 *   <li>{@link #open} arms edge-triggered read and write readiness for {@code fd} once, for its whole
 *       life; events carry {@link PollDesc#token()} so that {@link Netpoll} can drop an event that
 *       arrives after the descriptor was closed and its {@code PollDesc} reused (fdseq).</li>
 *   <li>{@link #poll} blocks at most {@code timeoutNanos}: {@code < 0} forever, {@code 0} not at all,
 *       otherwise rounded up to the backend's resolution (never returns early because of rounding
 *       down). EINTR is never reported as an error: it ends a timed wait early with no events, so
 *       the caller re-plans its timeout, and is retried by a forever or non-blocking poll, which
 *       therefore returns only for an event or a {@link #wakeup} (as Go's netpoll).</li>
 *   <li>{@link #wakeup} makes a concurrent or the next blocking {@link #poll} return. Wakeups are
 *       coalesced: any number of calls before the poller consumes the first cost one kernel write.
 *       Only a poll that may wait ({@code timeoutNanos != 0}) consumes a wakeup; a non-blocking poll
 *       that sees one leaves it for the blocking poll it was meant for, as Go's netpoll does on every
 *       backend; otherwise the blocked poll would sleep on with the coalescing flag still set.</li>
 * </ul>
 *
 * <p>Threading: {@link #open}, {@link #close} and {@link #wakeup} may be called from any thread.
 * {@link Netpoll} guarantees at most one blocking caller of {@link #poll} ({@code timeoutNanos != 0})
 * and at most one non-blocking caller at a time, so a backend keeps one event array for each.
 */
public interface Poller extends Closeable {
    /** Readiness bits reported to {@link ReadySink#ready}. */
    int READ = 1;
    int WRITE = 2;
    /** The descriptor reported an error and nothing else (Go's eventErr). */
    int ERROR = 4;
    /**
     * With {@link #READ}: the peer will send nothing more (its FIN, a reset or an error: epoll's
     * EPOLLRDHUP/EPOLLHUP/EPOLLERR, kqueue's EV_EOF), so no later read edge is coming and a reader
     * must read on to the end of stream or the error instead of waiting.
     */
    int HANGUP = 8;
    /**
     * The bits of an event from here up carry the socket error the backend took from the kernel's
     * event, as this OS numbers it (0: none): kqueue's EV_EOF with the error in {@code fflags}. It
     * comes with {@link #READ}, {@link #WRITE} and {@link #HANGUP}. A kqueue library that reads
     * SO_ERROR to fill the event clears it, so this is then the only report of a refused connect
     * or a reset; {@link PollDesc#takeEventErrno} hands it to the caller that needs it.
     */
    int ERRNO_SHIFT = 16;

    /** Backend name as accepted by {@code -Dnetpoll.backend}. */
    String name();

    void open(int fd, PollDesc pd) throws IOException;

    void close(int fd);

    /**
     * The caller saw EAGAIN in direction {@code events} ({@link #READ} or {@link #WRITE}) on
     * {@code fd}, registered under {@code token}, and is about to wait. Edge-triggered kernels
     * (epoll, kqueue) need nothing here: their registration stays armed for the fd's life. A backend
     * whose readiness requests are one-shot (IOCP's AFD polls) re-arms that direction, so an edge it
     * already reported can be reported again; until then it does not poll for it, which is what
     * keeps an unread socket from being reported on every poll. Any thread; must not block.
     */
    default void rearm(int fd, long token, int events) {
    }

    /** Polls for events and reports each one to {@code sink}; returns the number reported. */
    int poll(long timeoutNanos, boolean blocking, ReadySink sink);

    void wakeup();

    /** Kernel writes made by {@link #wakeup} so far (proves coalescing). */
    long wakeupWrites();

    @Override
    void close() throws IOException;
}
