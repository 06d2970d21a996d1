package io.netpoll.poller.sys;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.poller.fd.NetFD;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which binding makes the C calls ({@link NativeLayer}: the rules, their errors, the one this JVM
 * took), and that the bindings available here do the same thing with errno folded into the result
 * and allocate nothing per call. Runs in every surefire execution: on JDK 17 (JNA only; the FFM
 * cases say why they skip) and on JDK 25 with {@code -Dnetpoll.native=ffm}.
 */
class NativeLayerTest {
    /** An FFM loader as a JVM would have it: with or without the classes, with or without native access. */
    private static NativeLayer.FfmLoader ffm(NativeBinding binding, boolean access) {
        return new NativeLayer.FfmLoader() {
            @Override
            NativeBinding load() {
                return binding;
            }

            @Override
            boolean nativeAccessEnabled() {
                return access;
            }
        };
    }

    private static final NativeBinding FAKE_FFM = new NativeBinding() {
        @Override
        public String name() {
            return "ffm";
        }

        @Override
        public PosixCalls posix() {
            throw new AssertionError("not called by the choice");
        }

        @Override
        public LinuxCalls linux() {
            throw new AssertionError("not called by the choice");
        }
    };

    @Test
    void unset_takes_jna_before_jdk_22_and_ffm_from_22_with_native_access() {
        assertInstanceOf(JnaBinding.class, NativeLayer.choose(null, 17, ffm(FAKE_FFM, true)));
        assertInstanceOf(JnaBinding.class, NativeLayer.choose(null, 21, ffm(FAKE_FFM, true)));
        assertSame(FAKE_FFM, NativeLayer.choose(null, 22, ffm(FAKE_FFM, true)));
        assertSame(FAKE_FFM, NativeLayer.choose("", 25, ffm(FAKE_FFM, true)));
    }

    @Test
    void unset_falls_back_to_jna_without_native_access_or_without_the_ffm_classes() {
        assertInstanceOf(JnaBinding.class, NativeLayer.choose(null, 25, ffm(FAKE_FFM, false)));
        assertInstanceOf(JnaBinding.class, NativeLayer.choose(null, 25, ffm(null, true)));
    }

    @Test
    void jna_can_be_asked_for_on_any_jdk() {
        assertInstanceOf(JnaBinding.class, NativeLayer.choose("jna", 17, ffm(FAKE_FFM, true)));
        assertInstanceOf(JnaBinding.class, NativeLayer.choose("jna", 25, ffm(FAKE_FFM, true)));
    }

    @Test
    void ffm_asked_for_is_taken_even_without_native_access() {
        // The JDK then warns (JDK 22-23: once; 24+: per the --illegal-native-access mode): asked is asked.
        assertSame(FAKE_FFM, NativeLayer.choose("ffm", 25, ffm(FAKE_FFM, false)));
    }

    @Test
    void ffm_before_jdk_22_is_unsupported_naming_both_versions() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> NativeLayer.choose("ffm", 17, ffm(FAKE_FFM, true)));
        assertTrue(e.getMessage().contains("JDK 22") && e.getMessage().contains("JDK 17"), e.getMessage());
    }

    @Test
    void ffm_from_a_jar_built_without_it_is_unsupported_saying_so() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> NativeLayer.choose("ffm", 25, ffm(null, true)));
        assertTrue(e.getMessage().contains("built without its FFM layer"), e.getMessage());
    }

    @Test
    void an_unknown_value_is_an_illegal_argument_naming_the_values() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NativeLayer.choose("panama", 25, ffm(FAKE_FFM, true)));
        assertTrue(e.getMessage().contains("'panama'") && e.getMessage().contains("jna, ffm"), e.getMessage());
    }

    @Test
    void this_jvm_uses_the_binding_it_was_asked_for() {
        String asked = System.getProperty(NativeLayer.PROPERTY);
        String expected = asked != null ? asked : Runtime.version().feature() < NativeLayer.FFM_JDK ? "jna" : null;
        System.out.println("NativeLayer: JDK " + Runtime.version().feature() + ", -D" + NativeLayer.PROPERTY + "=" + asked
                + ": " + NativeLayer.binding().name());
        if (expected != null) {
            assertEquals(expected, NativeLayer.binding().name());
        }
        assertSame(NativeLayer.binding(), NativeLayer.binding(), "chosen once");
    }

    /** The bindings this JVM can make: JNA always, FFM on JDK 22+ when this build has it. */
    private static List<NativeBinding> bindings() {
        List<NativeBinding> all = new ArrayList<>();
        all.add(new JnaBinding());
        NativeBinding ffm = Runtime.version().feature() >= NativeLayer.FFM_JDK ? new NativeLayer.FfmLoader().load() : null;
        if (ffm != null) {
            all.add(ffm);
        } else {
            System.out.println("SKIP: the FFM binding on JDK " + Runtime.version().feature()
                    + " (needs JDK " + NativeLayer.FFM_JDK + "+ and a build with a JDK 22+ javac); JNA only");
        }
        return all;
    }

    @Test
    void the_ffm_binding_is_there_on_jdk_22_and_later() {
        Assumptions.assumeTrue(Runtime.version().feature() >= NativeLayer.FFM_JDK, "JDK " + Runtime.version().feature() + " has no FFM");
        assertNotNull(new NativeLayer.FfmLoader().load(), "this build was made without a JDK 22+ javac");
    }

    @Test
    void every_binding_hands_back_results_and_errno_the_same_way() {
        for (NativeBinding b : bindings()) {
            PosixCalls c = b.posix();
            assertEquals(-Errno.EBADF, c.close(-1), b.name() + " close(-1)");
            assertEquals(-Errno.EBADF, c.read(-1, 0, 0), b.name() + " read(-1)");
            assertTrue(c.strerror(Errno.EBADF).contains("Bad file"), b.name() + ": " + c.strerror(Errno.EBADF));
            try (Memory m = new Memory(16)) {
                long a = Pointer.nativeValue(m);
                assertEquals(0, c.socketpair(Sys.AF_UNIX, Sys.SOCK_STREAM | Sys.SOCK_NONBLOCK | Sys.SOCK_CLOEXEC, 0, a), b.name());
                int x = m.getInt(0);
                int y = m.getInt(4);
                try {
                    assertEquals(-Errno.EAGAIN, c.read(y, a + 8, 8), b.name() + " read on an empty socket");
                    m.setLong(8, 0x1122334455667788L);
                    assertEquals(8, c.send(x, a + 8, 8, Sys.MSG_NOSIGNAL), b.name());
                    m.setLong(8, 0);
                    assertEquals(8, c.read(y, a + 8, 8), b.name());
                    assertEquals(0x1122334455667788L, m.getLong(8), b.name());
                    int ep = b.linux().epoll_create1(Sys.EPOLL_CLOEXEC);
                    assertTrue(ep >= 0, b.name() + " epoll_create1: " + ep);
                    assertEquals(-Errno.EBADF, b.linux().epoll_ctl(ep, Sys.EPOLL_CTL_ADD, -1, a), b.name());
                    assertEquals(0, b.linux().epoll_wait(ep, a, 1, 0), b.name());
                    assertEquals(0, c.close(ep), b.name());
                } finally {
                    c.close(x);
                    c.close(y);
                }
            }
        }
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    void a_call_allocates_nothing_on_either_binding() {
        for (NativeBinding b : bindings()) {
            PosixCalls c = b.posix();
            try (Memory m = new Memory(16)) {
                long a = Pointer.nativeValue(m);
                assertEquals(0, c.socketpair(Sys.AF_UNIX, Sys.SOCK_STREAM | Sys.SOCK_NONBLOCK | Sys.SOCK_CLOEXEC, 0, a));
                int x = m.getInt(0);
                int y = m.getInt(4);
                try {
                    long sum = exchange(c, x, y, a + 8, 20_000);
                    long before = allocatedBytes();
                    sum += exchange(c, x, y, a + 8, 20_000);
                    long allocated = allocatedBytes() - before;
                    System.out.println("NativeLayer: " + b.name() + ": 60,000 calls allocated " + allocated + " bytes");
                    assertTrue(allocated < 1024, b.name() + ": " + allocated + " bytes for 60,000 calls (" + sum + ")");
                } finally {
                    c.close(x);
                    c.close(y);
                }
            }
        }
    }

    /** {@code n} rounds of a send, a read and a read that meets EAGAIN; the sum of the results. */
    private static long exchange(PosixCalls c, int x, int y, long buf, int n) {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += c.send(x, buf, 1, Sys.MSG_NOSIGNAL);
            sum += c.read(y, buf, 8);
            sum += c.read(y, buf, 8);
        }
        return sum;
    }

    @Test
    void an_unknown_value_fails_every_socket_with_the_same_illegal_argument() throws Exception {
        // The choice is made once per JVM: ask a fresh one.
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dnetpoll.native=panama", OpenTwice.class.getName())
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the child JVM did not exit");
        String expected = IllegalArgumentException.class.getName() + ": netpoll: unknown native layer 'panama'";
        List<String> lines = out.lines().filter(l -> l.startsWith("java.")).toList();
        assertEquals(2, lines.size(), out);
        for (String line : lines) {
            assertTrue(line.startsWith(expected), out);
        }
    }

    /** The child: opens a socket twice under the JVM's -D options; prints each failure's type and message. */
    static final class OpenTwice {
        public static void main(String[] args) {
            for (int i = 0; i < 2; i++) {
                try {
                    NetFD.socket(Sys.AF_INET, Sys.SOCK_STREAM).close();
                    System.out.println("opened");
                } catch (Exception e) {
                    System.out.println(e.getClass().getName() + ": " + e.getMessage());
                }
            }
        }
    }

    /** Stands for an FFM binding whose downcalls cannot be linked: its constructor fails. */
    public static final class FailingBinding implements NativeBinding {
        public FailingBinding() {
            throw new UnsatisfiedLinkError("no symbol recv in this libc");
        }

        @Override
        public String name() {
            return "ffm";
        }

        @Override
        public PosixCalls posix() {
            throw new AssertionError("never constructed");
        }

        @Override
        public LinuxCalls linux() {
            throw new AssertionError("never constructed");
        }
    }

    @Test
    void an_ffm_binding_that_fails_to_start_is_an_illegal_state_carrying_the_cause() {
        NativeLayer.FfmLoader failing = new NativeLayer.FfmLoader(FailingBinding.class.getName()) {
            @Override
            boolean nativeAccessEnabled() {
                return true;
            }
        };
        for (String asked : new String[]{null, NativeLayer.FFM}) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> NativeLayer.choose(asked, NativeLayer.FFM_JDK, failing), "asked " + asked);
            assertTrue(e.getMessage().contains("the FFM layer failed to start"), e.getMessage());
            assertInstanceOf(UnsatisfiedLinkError.class, e.getCause());
        }
    }
}
