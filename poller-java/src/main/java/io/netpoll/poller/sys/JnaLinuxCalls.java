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
}
