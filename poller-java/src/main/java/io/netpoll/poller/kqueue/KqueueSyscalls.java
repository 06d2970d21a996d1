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
}
