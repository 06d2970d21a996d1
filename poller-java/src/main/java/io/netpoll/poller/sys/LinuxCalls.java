package io.netpoll.poller.sys;

/**
 * The Linux-only calls (epoll, eventfd, accept4, pipe2), with the result contract of
 * {@link PosixCalls}: the result, or {@code -errno}. Apart from the POSIX ones because only Linux
 * has them: a binding of these must never be made on another OS (LinuxOnlyIsolationTest), so
 * {@link NativeLayer#linux()} binds them at the first call, which only the epoll backend and the
 * Linux socket layer make.
 */
public interface LinuxCalls {
    // epoll(7) and eventfd(2)
    int epoll_create1(int flags);

    int epoll_ctl(int epfd, int op, int fd, long event);

    int epoll_wait(int epfd, long events, int maxEvents, int timeoutMillis);

    int eventfd(int initval, int flags);

    // descriptor creation with SOCK_NONBLOCK|SOCK_CLOEXEC / O_NONBLOCK|O_CLOEXEC in one call
    int accept4(int fd, long addr, long addrlenPtr, int flags);

    int pipe2(long fds, int flags);
}
