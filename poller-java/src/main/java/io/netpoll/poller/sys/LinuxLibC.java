package io.netpoll.poller.sys;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * The Linux-only C library calls (epoll, eventfd, accept4, pipe2, syscall and mmap for io_uring), bound through JNA direct mapping
 * in a class of their own: {@code Native.register} fails for a whole class when one symbol is
 * missing, so these must not share a class with the POSIX calls in {@link LibC}, which macOS and the
 * BSDs also have.
 *
 * <p>Only {@link JnaLinuxCalls} names this class, and only Linux code (the epoll backend and the
 * Linux socket layer) reaches that through {@link NativeLayer#linux()}: the JVM binds it at the
 * first such call, so on any other OS it is never initialised; {@code LinuxOnlyIsolationTest}
 * checks that no other path names it.
 * Calling convention as in {@link LibC}: -1 on failure, errno from JNA; reached through
 * {@link JnaLinuxCalls}.
 */
public final class LinuxLibC {
    static {
        Native.register(LinuxLibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private LinuxLibC() {}

    // epoll(7) and eventfd(2)
    public static native int epoll_create1(int flags);
    public static native int epoll_ctl(int epfd, int op, int fd, long event);
    public static native int epoll_wait(int epfd, long events, int maxEvents, int timeoutMillis);
    public static native int eventfd(int initval, int flags);

    // descriptor creation with SOCK_NONBLOCK|SOCK_CLOEXEC / O_NONBLOCK|O_CLOEXEC in one call
    public static native int accept4(int fd, long addr, long addrlenPtr, int flags);
    public static native int pipe2(long fds, int flags);

    // io_uring's system calls, which have no wrappers, and the mappings of its rings
    /** syscall(2); arguments the call does not take are ignored by the kernel. */
    public static native long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);
    public static native long mmap(long addr, long length, int prot, int flags, int fd, long offset);
    public static native int munmap(long addr, long length);
}
