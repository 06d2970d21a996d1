package io.netpoll.poller.fd;

import io.netpoll.poller.sys.Sys;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NetFD's read and write paths over the real kernel (a socketpair on the process's backend) allocate nothing per
 * call once their buffers have been seen: scalar reads and writes, the gathering write and
 * scattering read over reused direct buffers, and the readiness probe (awaitReadable with data
 * queued). Measured with the thread's allocation counter; one 16-byte object per call (the
 * smallest allocation there is) breaks the bound. Steady state is what counts: a measured round
 * follows a warm-up round, and up to {@link #ROUNDS} are measured until one meets the bound, since
 * the JIT may take longer than one warm-up to compile the path (the FFM downcalls on JDK 25 do).
 *
 * <p>Each case runs in a child JVM with this one's JDK, {@code netpoll.*} properties (native layer,
 * backend) and native-access flag: a
 * process with one socket layer, as an application has. The shared test JVM is not one: other test
 * classes load the BSD and Winsock layers and model backends, the JIT compiles the read path with
 * several receivers and more inlined code, and there the FFM binding was seen leaving one 40-byte
 * MemorySegment per call: the JDK's errno-capture check slices the capture segment and relies on
 * escape analysis to remove the slice (see docs/native.md).
 */
class NetFDAllocationTest {
    private static final int CALLS = 20_000;
    private static final int ROUNDS = 5;

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    void scalar_and_vectored_io_allocate_nothing_per_call() throws Exception {
        inChildJvm("scalar_and_vectored_io");
    }

    @Test
    void a_readiness_probe_allocates_nothing_per_call() throws Exception {
        inChildJvm("a_readiness_probe");
    }

    /** Runs {@link Child} with {@code test}; fails with the child's output unless it exits 0. */
    private static void inChildJvm(String test) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--enable-native-access")) {
                cmd.add(arg);
            }
        }
        // -D options and surefire's systemPropertyVariables alike (the latter are not JVM arguments).
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("netpoll.")) {
                cmd.add("-D" + name + "=" + System.getProperty(name));
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Child.class.getName(), test));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM did not exit");
        System.out.print(out);
        assertEquals(0, p.exitValue(), out);
    }

    /** The child: one case, then exit 0; an assertion error exits 1 with its message. */
    static final class Child {
        public static void main(String[] args) throws Exception {
            try {
                if (args[0].equals("scalar_and_vectored_io")) {
                    scalarAndVectoredIo();
                } else {
                    readinessProbe();
                }
            } catch (AssertionError e) {
                System.out.println("FAILED: " + e.getMessage());
                System.exit(1);
            }
            System.exit(0);
        }
    }

    private static void scalarAndVectoredIo() throws Exception {
        NetFD[] sp = NetFD.socketPair(Sys.SOCK_STREAM);
        try (NetFD a = sp[0]; NetFD b = sp[1]) {
            ByteBuffer out = ByteBuffer.allocateDirect(64);
            ByteBuffer in = ByteBuffer.allocateDirect(64);
            ByteBuffer[] outv = {ByteBuffer.allocateDirect(16), ByteBuffer.allocateDirect(48)};
            ByteBuffer[] inv = {ByteBuffer.allocateDirect(32), ByteBuffer.allocateDirect(32)};
            for (int i = 0; i < CALLS; i++) {
                roundTrip(a, b, out, in, outv, inv);
            }
            long allocated = Long.MAX_VALUE;
            for (int round = 0; round < ROUNDS && allocated >= 16L * CALLS; round++) {
                long before = allocatedBytes();
                long moved = 0;
                for (int i = 0; i < CALLS; i++) {
                    moved += roundTrip(a, b, out, in, outv, inv);
                }
                allocated = allocatedBytes() - before;
                System.out.printf("NetFD: %d x (write+read, writev+readv) of 64 B, %d bytes allocated%n", CALLS, allocated);
                assertEquals(4L * 64 * CALLS, moved);
            }
            assertTrue(allocated < 16L * CALLS, "allocates per call: " + allocated + " bytes for " + CALLS + " rounds");
        }
    }

    private static void readinessProbe() throws Exception {
        NetFD[] sp = NetFD.socketPair(Sys.SOCK_STREAM);
        try (NetFD a = sp[0]; NetFD b = sp[1]) {
            a.write(ByteBuffer.allocateDirect(1));
            for (int i = 0; i < CALLS; i++) {
                b.awaitReadable();
            }
            long allocated = Long.MAX_VALUE;
            for (int round = 0; round < ROUNDS && allocated >= 16L * CALLS; round++) {
                long before = allocatedBytes();
                for (int i = 0; i < CALLS; i++) {
                    b.awaitReadable();
                }
                allocated = allocatedBytes() - before;
                System.out.printf("NetFD: %d x awaitReadable with data queued, %d bytes allocated%n", CALLS, allocated);
            }
            assertTrue(allocated < 16L * CALLS, "allocates per call: " + allocated + " bytes for " + CALLS + " probes");
        }
    }

    private static long roundTrip(NetFD a, NetFD b, ByteBuffer out, ByteBuffer in,
                                  ByteBuffer[] outv, ByteBuffer[] inv) throws Exception {
        long moved = a.write(out.clear());
        in.clear();
        while (in.hasRemaining()) {
            moved += b.read(in);
        }
        outv[0].clear();
        outv[1].clear();
        moved += a.write(outv);
        inv[0].clear();
        inv[1].clear();
        long got = 0;
        while (got < 64) {
            got += b.read(inv);
        }
        return moved + got;
    }
}
