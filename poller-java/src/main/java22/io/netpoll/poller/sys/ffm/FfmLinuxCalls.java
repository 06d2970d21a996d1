package io.netpoll.poller.sys.ffm;

import io.netpoll.poller.sys.LinuxCalls;
import io.netpoll.poller.sys.Sys;

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
    private static final MethodHandle SYSCALL = Downcalls.variadic("syscall", 1,
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle MMAP = Downcalls.call("mmap", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = Downcalls.call("munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));

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

    @Override
    public int io_uring_setup(int entries, long params) {
        return (int) syscall(Sys.SYS_IO_URING_SETUP, entries, params, 0, 0, 0, 0);
    }

    @Override
    public int io_uring_enter(int ringFd, int toSubmit, int minComplete, int flags, long arg, long argSize) {
        return (int) syscall(Sys.SYS_IO_URING_ENTER, ringFd, toSubmit, minComplete, flags, arg, argSize);
    }

    @Override
    public int io_uring_register(int ringFd, int opcode, long arg, int nrArgs) {
        return (int) syscall(Sys.SYS_IO_URING_REGISTER, ringFd, opcode, arg, nrArgs, 0, 0);
    }

    /** syscall(2), variadic after the number; arguments the call does not take are ignored by the kernel. */
    private static long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((long) SYSCALL.invokeExact(st, number, a1, a2, a3, a4, a5, a6), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((long) MMAP.invokeExact(st, addr, length, prot, flags, fd, offset), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public int munmap(long addr, long length) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((int) MUNMAP.invokeExact(st, addr, length), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }
}
