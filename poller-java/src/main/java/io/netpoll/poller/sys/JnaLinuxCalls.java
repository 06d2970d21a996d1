package io.netpoll.poller.sys;

import static io.netpoll.poller.sys.JnaPosixCalls.ok;

/** {@link LinuxCalls} through JNA: the {@link LinuxLibC} natives, errno as in {@link JnaPosixCalls}. */
final class JnaLinuxCalls implements LinuxCalls {
    @Override
    public int epoll_create1(int flags) {
        return ok(LinuxLibC.epoll_create1(flags));
    }

    @Override
    public int epoll_ctl(int epfd, int op, int fd, long event) {
        return ok(LinuxLibC.epoll_ctl(epfd, op, fd, event));
    }

    @Override
    public int epoll_wait(int epfd, long events, int maxEvents, int timeoutMillis) {
        return ok(LinuxLibC.epoll_wait(epfd, events, maxEvents, timeoutMillis));
    }

    @Override
    public int eventfd(int initval, int flags) {
        return ok(LinuxLibC.eventfd(initval, flags));
    }

    @Override
    public int accept4(int fd, long addr, long addrlenPtr, int flags) {
        return ok(LinuxLibC.accept4(fd, addr, addrlenPtr, flags));
    }

    @Override
    public int pipe2(long fds, int flags) {
        return ok(LinuxLibC.pipe2(fds, flags));
    }

    @Override
    public int io_uring_setup(int entries, long params) {
        return (int) JnaPosixCalls.ok(LinuxLibC.syscall(Sys.SYS_IO_URING_SETUP, entries, params, 0, 0, 0, 0));
    }

    @Override
    public int io_uring_enter(int ringFd, int toSubmit, int minComplete, int flags, long arg, long argSize) {
        return (int) JnaPosixCalls.ok(LinuxLibC.syscall(Sys.SYS_IO_URING_ENTER, ringFd, toSubmit, minComplete, flags, arg, argSize));
    }

    @Override
    public int io_uring_register(int ringFd, int opcode, long arg, int nrArgs) {
        return (int) JnaPosixCalls.ok(LinuxLibC.syscall(Sys.SYS_IO_URING_REGISTER, ringFd, opcode, arg, nrArgs, 0, 0));
    }

    @Override
    public long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        return ok(LinuxLibC.mmap(addr, length, prot, flags, fd, offset));
    }

    @Override
    public int munmap(long addr, long length) {
        return ok(LinuxLibC.munmap(addr, length));
    }
}
