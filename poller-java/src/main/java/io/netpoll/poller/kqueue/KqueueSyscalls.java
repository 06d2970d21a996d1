package io.netpoll.poller.kqueue;

/**
 * The system calls {@link KqueuePoller} makes, behind an interface so that tests can run the
 * backend against an in-memory kernel model on Linux. {@link KqueueNative} is the real one.
 *
 * <p>Pointers are {@code long} addresses of native memory the caller owns. A call that fails
 * returns -1 and {@link #errno()}, read immediately after on the same thread, says why.
 */
public interface KqueueSyscalls {
    int kqueue();

    /** {@code timeout} is the address of a {@code struct timespec}, or 0 to wait forever. */
    int kevent(int kq, long changelist, int nchanges, long eventlist, int nevents, long timeout);

    int close(int fd);

    int errno();

    /**
     * A connected pair of non-blocking local stream sockets into {@code sv[0]} and {@code sv[1]}:
     * the wake channel {@link KqueuePoller} uses instead of EVFILT_USER over a library whose kevent
     * holds the queue's lock while it waits (libkqueue). Returns 0, or -1 and {@link #errno()}.
     */
    default int wakeChannel(int[] sv) {
        throw new UnsupportedOperationException("no wake channel");
    }

    /** read(2) into the {@code len} bytes at {@code buf}. */
    default long read(int fd, long buf, long len) {
        throw new UnsupportedOperationException("no read");
    }

    /** write(2) of the {@code len} bytes at {@code buf}. */
    default long write(int fd, long buf, long len) {
        throw new UnsupportedOperationException("no write");
    }
}
