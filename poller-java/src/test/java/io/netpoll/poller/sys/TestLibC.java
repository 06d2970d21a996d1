package io.netpoll.poller.sys;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * C library calls only tests make (Linux, glibc 2.30 or later for gettid and tgkill): descriptor
 * limits for EMFILE tests, signals for EINTR and SIGPIPE tests. Bound like {@link LibC}: JNA
 * direct mapping, primitives only, -1 and {@code Native.getLastError()} on failure.
 */
public final class TestLibC {
    static {
        Native.register(TestLibC.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    public static final int RLIMIT_NOFILE = 7;
    public static final int SIGPIPE = 13;
    public static final int SIG_BLOCK = 0;
    /** sigset_t in glibc: 1024 bits. */
    public static final int SIGSET_SIZE = 128;

    private TestLibC() {}

    public static native int dup(int fd);
    public static native int close(int fd);
    public static native int getrlimit(int resource, long rlim);
    public static native int setrlimit(int resource, long rlim);

    public static native int getpid();
    /** The calling thread's kernel thread id. */
    public static native int gettid();
    /** Sends {@code sig} to thread {@code tid} of process {@code tgid}. */
    public static native int tgkill(int tgid, int tid, int sig);
    /** Changes the calling thread's signal mask ({@code set}, {@code oldset}: sigset_t addresses or 0); 0 or an error number. */
    public static native int pthread_sigmask(int how, long set, long oldset);

    /** Whether {@code sig} is pending for the calling thread (its bit in /proc/thread-self/status's SigPnd). */
    public static boolean pendingForThisThread(int sig) throws IOException {
        return statusMask("/proc/thread-self/status", "SigPnd:", sig);
    }

    /**
     * Whether this process catches {@code sig} with a handler (its bit in /proc/self/status's
     * SigCgt), as opposed to ignoring it or taking the default action. Only a caught signal
     * interrupts a blocking system call with EINTR; an ignored one is discarded by the kernel.
     */
    public static boolean catches(int sig) throws IOException {
        return statusMask("/proc/self/status", "SigCgt:", sig);
    }

    private static boolean statusMask(String file, String field, int sig) throws IOException {
        for (String line : Files.readAllLines(Path.of(file))) {
            if (line.startsWith(field)) {
                long mask = Long.parseUnsignedLong(line.substring(field.length()).trim(), 16);
                return (mask & (1L << (sig - 1))) != 0;
            }
        }
        throw new IOException("no " + field + " line in " + file);
    }
}
