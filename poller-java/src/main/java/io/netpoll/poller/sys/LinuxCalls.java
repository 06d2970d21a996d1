package io.netpoll.poller.sys;

/**
 * The Linux-only calls (epoll, eventfd, accept4, pipe2, io_uring and the mappings of its rings), with the result contract of
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

    // io_uring(7): glibc has no wrappers, so both bindings make them through syscall(2)
    int io_uring_setup(int entries, long params);

    int io_uring_enter(int ringFd, int toSubmit, int minComplete, int flags, long arg, long argSize);

    int io_uring_register(int ringFd, int opcode, long arg, int nrArgs);

    /** mmap(2): the address, or -errno (no mapping address is negative on a 64-bit Linux). */
    long mmap(long addr, long length, int prot, int flags, int fd, long offset);

    int munmap(long addr, long length);
}
