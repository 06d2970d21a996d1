package io.netpoll.poller.iouring;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * The C library calls the io_uring backend makes, bound through JNA direct mapping in a class of
 * its own (as {@code sys.LinuxLibC}: only Linux code touches it, so it is never bound elsewhere).
 * The three io_uring system calls have no glibc wrappers, so they go through {@code syscall(2)};
 * the ring memory is mapped with {@code mmap(2)}.
 *
 * <p>Calling convention as in {@code sys.LibC}: primitives only, pointers as {@code long}
 * addresses, -1 on failure with errno from {@code Errno.last()} read right after the call.
 */
final class IoUringNative {
    static {
        Native.register(IoUringNative.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private IoUringNative() {}

    /** The generic syscall numbers (include/uapi/asm-generic/unistd.h), the same on x86_64 and arm64. */
    static final long SYS_IO_URING_SETUP = 425;
    static final long SYS_IO_URING_ENTER = 426;
    static final long SYS_IO_URING_REGISTER = 427;

    static final int PROT_READ = 0x1;
    static final int PROT_WRITE = 0x2;
    static final int MAP_SHARED = 0x01;
    static final int MAP_POPULATE = 0x8000;
    static final long MAP_FAILED = -1L;

    /** {@code syscall(2)}: unused trailing arguments are ignored by the kernel. */
    static native long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    static native long mmap(long addr, long length, int prot, int flags, int fd, long offset);

    static native int munmap(long addr, long length);

    static int setup(int entries, long params) {
        return (int) syscall(SYS_IO_URING_SETUP, entries, params, 0, 0, 0, 0);
    }

    static int enter(int ringFd, int toSubmit, int minComplete, int flags, long arg, long argSize) {
        return (int) syscall(SYS_IO_URING_ENTER, ringFd, toSubmit, minComplete, flags, arg, argSize);
    }

    static int register(int ringFd, int opcode, long arg, int nrArgs) {
        return (int) syscall(SYS_IO_URING_REGISTER, ringFd, opcode, arg, nrArgs, 0, 0);
    }
}
