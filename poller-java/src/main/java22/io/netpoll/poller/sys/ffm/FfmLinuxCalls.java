package io.netpoll.poller.sys.ffm;

import io.netpoll.poller.sys.LinuxCalls;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@link LinuxCalls} as {@code java.lang.foreign} downcalls (see {@link Downcalls}), in a class of
 * their own so that their symbols are looked up only on Linux, at the first call.
 */
final class FfmLinuxCalls implements LinuxCalls {
    private static final MethodHandle EPOLL_CREATE1 = Downcalls.call("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL = Downcalls.call("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle EPOLL_WAIT = Downcalls.call("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT));
    private static final MethodHandle EVENTFD = Downcalls.call("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT4 = Downcalls.quick("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle PIPE2 = Downcalls.call("pipe2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));

    @Override
    public int epoll_create1(int flags) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((int) EPOLL_CREATE1.invokeExact(st, flags), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public int epoll_ctl(int epfd, int op, int fd, long event) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((int) EPOLL_CTL.invokeExact(st, epfd, op, fd, event), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public int epoll_wait(int epfd, long events, int maxEvents, int timeoutMillis) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((int) EPOLL_WAIT.invokeExact(st, epfd, events, maxEvents, timeoutMillis), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public int eventfd(int initval, int flags) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((int) EVENTFD.invokeExact(st, initval, flags), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public int accept4(int fd, long addr, long addrlenPtr, int flags) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((int) ACCEPT4.invokeExact(st, fd, addr, addrlenPtr, flags), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public int pipe2(long fds, int flags) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((int) PIPE2.invokeExact(st, fds, flags), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }
}
