package io.netpoll.poller.sys;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * C library calls only tests make (Linux, glibc 2.30 or later for gettid and tgkill): descriptor
 * limits for EMFILE tests, and signalling one thread for EINTR tests. Bound like {@link LibC}: JNA
 * direct mapping, primitives only, -1 and {@link Errno#last()} on failure.
 */
public final class TestLibC {
    static {
        Native.register(TestLibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    public static final int RLIMIT_NOFILE = 7;
    public static final int SIGPIPE = 13;

    private TestLibC() {}

    public static native int dup(int fd);
    public static native int getrlimit(int resource, long rlim);
    public static native int setrlimit(int resource, long rlim);

    public static native int getpid();
    /** The calling thread's kernel thread id. */
    public static native int gettid();
    /** Sends {@code sig} to thread {@code tid} of process {@code tgid}. */
    public static native int tgkill(int tgid, int tid, int sig);

    /**
     * Whether this process catches {@code sig} with a handler (its bit in /proc/self/status's
     * SigCgt), as opposed to ignoring it or taking the default action. Only a caught signal
     * interrupts a blocking system call with EINTR; an ignored one is discarded by the kernel.
     */
    public static boolean catches(int sig) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigCgt:")) {
                long mask = Long.parseUnsignedLong(line.substring("SigCgt:".length()).trim(), 16);
                return (mask & (1L << (sig - 1))) != 0;
            }
        }
        throw new IOException("no SigCgt line in /proc/self/status");
    }
}
