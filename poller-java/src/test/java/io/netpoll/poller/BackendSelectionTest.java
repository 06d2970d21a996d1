package io.netpoll.poller;

import io.netpoll.poller.kqueue.KqueueNative;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which backend {@link Netpoll} picks by OS, the {@code -Dnetpoll.backend} names, and the errors. */
class BackendSelectionTest {
    private static void assertNamesEveryBackend(String message) {
        for (String name : new String[] {"epoll", "io_uring", "kqueue", "iocp"}) {
            assertTrue(message.contains(name), "'" + name + "' missing from: " + message);
        }
    }

    @Test
    void each_os_gets_the_backend_go_uses_there() {
        assertEquals("epoll", Netpoll.defaultBackend("Linux"));
        assertEquals("kqueue", Netpoll.defaultBackend("Mac OS X"));
        assertEquals("kqueue", Netpoll.defaultBackend("FreeBSD"));
        assertEquals("iocp", Netpoll.defaultBackend("Windows 11"));
        assertEquals("epoll", Netpoll.defaultBackend(), "this machine");
    }

    @Test
    void an_unsupported_os_fails_naming_the_supported_backends() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Netpoll.defaultBackend("SunOS"));
        assertTrue(e.getMessage().contains("SunOS"), e.getMessage());
        assertNamesEveryBackend(e.getMessage());
    }

    @Test
    void an_unknown_backend_name_fails_naming_the_supported_ones() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Netpoll.openBackend("select"));
        assertTrue(e.getMessage().contains("'select'"), e.getMessage());
        assertNamesEveryBackend(e.getMessage());
    }

    /** Runs {@link GetNetpoll} in a fresh JVM with {@code -Dnetpoll.backend=backend}: its exit code and output. */
    private static Object[] childNetpoll(String backend) throws Exception {
        // Netpoll.get() is a process singleton, already chosen here: ask a fresh JVM.
        // This JVM's native-access flag and native layer, so that a JDK 25 child neither warns nor changes layer.
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--enable-native-access") || arg.startsWith("-Dnetpoll.native=")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "-Dnetpoll.backend=" + backend, GetNetpoll.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the child JVM did not exit");
        return new Object[] {p.exitValue(), out};
    }

    @Test
    void netpoll_get_with_an_unknown_backend_property_fails_naming_the_supported_ones() throws Exception {
        Object[] child = childNetpoll("bogus");
        String out = (String) child[1];
        assertEquals(GetNetpoll.FAILED, child[0], out);
        assertTrue(out.startsWith(IllegalArgumentException.class.getName() + ": "), out);
        assertTrue(out.contains("'bogus'"), out);
        assertNamesEveryBackend(out);
    }

    @Test
    void netpoll_get_runs_io_uring_when_asked() throws Exception {
        Object[] child = childNetpoll("io_uring");
        assertEquals(0, child[0], (String) child[1]);
        assertEquals("opened io_uring", ((String) child[1]).strip());
    }

    /** The child: Netpoll.get() under the JVM's -D options; prints the failure's type and message. */
    static final class GetNetpoll {
        static final int FAILED = 3;

        public static void main(String[] args) {
            try {
                System.out.println("opened " + Netpoll.get().stats().backend());
            } catch (RuntimeException e) {
                System.out.println(e.getClass().getName() + ": " + e.getMessage());
                System.exit(FAILED);
            }
        }
    }

    @Test
    void epoll_opens_here() throws Exception {
        try (Poller p = Netpoll.openBackend("epoll")) {
            assertEquals("epoll", p.name());
        }
    }

    @Test
    void io_uring_opens_here() throws Exception {
        try (Poller p = Netpoll.openBackend("io_uring")) {
            assertEquals("io_uring", p.name());
        }
    }

    @Test
    void iocp_on_linux_fails_clearly_instead_of_loading_kernel32() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Netpoll.openBackend("iocp"));
        assertTrue(e.getMessage().contains("iocp backend does not run on 'Linux'"), e.getMessage());
        assertNamesEveryBackend(e.getMessage());
    }

    @Test
    void kqueue_on_linux_without_a_library_override_says_how_to_get_one() {
        String saved = System.clearProperty(KqueueNative.LIBRARY_PROPERTY);
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Netpoll.openBackend("kqueue"));
            assertTrue(e.getMessage().contains("-D" + KqueueNative.LIBRARY_PROPERTY), e.getMessage());
            assertNamesEveryBackend(e.getMessage());
        } finally {
            if (saved != null) {
                System.setProperty(KqueueNative.LIBRARY_PROPERTY, saved);
            }
        }
    }
}
