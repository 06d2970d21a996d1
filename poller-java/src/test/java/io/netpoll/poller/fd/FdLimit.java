package io.netpoll.poller.fd;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.poller.sys.TestLibC;

import java.io.File;

/**
 * Lowers this process's RLIMIT_NOFILE soft limit just above the highest open descriptor and fills
 * the holes below it, so the next descriptor the kernel would hand out fails with EMFILE;
 * {@link #close} frees the fillers and restores the limit.
 */
final class FdLimit implements AutoCloseable {
    private final long soft;
    private final long hard;
    private final java.util.List<Integer> fillers = new java.util.ArrayList<>();

    private FdLimit(long soft, long hard) {
        this.soft = soft;
        this.hard = hard;
    }

    static FdLimit exhaust() {
        try (Memory rl = new Memory(16)) {
            if (TestLibC.getrlimit(TestLibC.RLIMIT_NOFILE, Pointer.nativeValue(rl)) != 0) {
                throw new IllegalStateException("getrlimit failed");
            }
            FdLimit saved = new FdLimit(rl.getLong(0), rl.getLong(8));
            int highest = 0;
            String[] names = new File("/proc/self/fd").list();
            for (String n : names) {
                highest = Math.max(highest, Integer.parseInt(n));
            }
            rl.setLong(0, highest + 1);
            if (TestLibC.setrlimit(TestLibC.RLIMIT_NOFILE, Pointer.nativeValue(rl)) != 0) {
                throw new IllegalStateException("setrlimit failed");
            }
            for (int fd; (fd = TestLibC.dup(0)) >= 0; ) {
                saved.fillers.add(fd);
            }
            return saved;
        }
    }

    @Override
    public void close() {
        // TestLibC, bound before the table filled up: a class loaded now could not open its jar.
        fillers.forEach(TestLibC::close);
        try (Memory rl = new Memory(16)) {
            rl.setLong(0, soft);
            rl.setLong(8, hard);
            TestLibC.setrlimit(TestLibC.RLIMIT_NOFILE, Pointer.nativeValue(rl));
        }
    }
}
