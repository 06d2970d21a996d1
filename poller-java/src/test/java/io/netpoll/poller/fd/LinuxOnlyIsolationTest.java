package io.netpoll.poller.fd;

import io.netpoll.poller.sys.LibC;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing on a macOS, FreeBSD or Windows path may touch a Linux-only class (the epoll and io_uring
 * backends, the Linux layer, {@code LinuxLibC}): {@code Native.register}
 * of {@code LinuxLibC} would fail there (no epoll, eventfd, accept4 or pipe2), and a class that
 * merely names it could make the verifier load it. Checked two ways on this machine: by the
 * constant pools of the compiled classes, and by running the non-Linux selection and the classes
 * it reaches in a class loader that refuses to load the Linux-only ones.
 */
class LinuxOnlyIsolationTest {
    private static final String LINUX_LIBC = "io/netpoll/poller/sys/LinuxLibC";
    private static final String LINUX_LAYER = "io/netpoll/poller/fd/LinuxSocketLayer";
    /** The two bindings of the Linux-only calls: JNA's, and FFM's (compiled when a JDK 22+ javac was there). */
    private static final String JNA_LINUX_CALLS = "io/netpoll/poller/sys/JnaLinuxCalls";
    private static final String FFM_LINUX_CALLS = "io/netpoll/poller/sys/ffm/FfmLinuxCalls";
    private static final Set<String> LINUX_ONLY_FUNCTIONS = Set.of("epoll_create1", "epoll_ctl", "epoll_wait", "eventfd",
            "accept4", "pipe2");

    @Test
    void libc_binds_no_linux_only_function() {
        for (Method m : LibC.class.getDeclaredMethods()) {
            if (Modifier.isNative(m.getModifiers())) {
                assertTrue(!LINUX_ONLY_FUNCTIONS.contains(m.getName()), "LibC." + m.getName() + " is Linux-only");
            }
        }
    }

    @Test
    void only_the_jna_binding_of_the_linux_calls_names_linux_libc() throws Exception {
        assertEquals(Set.of(JNA_LINUX_CALLS), classesNaming(LINUX_LIBC));
    }

    @Test
    void each_binding_makes_its_linux_calls_only_when_asked_for_them() throws Exception {
        assertEquals(Set.of("io/netpoll/poller/sys/JnaBinding"), classesNaming(JNA_LINUX_CALLS));
        if (Files.exists(classesRoot().resolve(FFM_LINUX_CALLS + ".class"))) {
            assertEquals(Set.of("io/netpoll/poller/sys/ffm/FfmBinding"), classesNaming(FFM_LINUX_CALLS));
        } else {
            System.out.println("SKIP: built without the FFM binding (no JDK 22+ javac); its Linux calls are not checked");
        }
    }

    @Test
    void only_the_selection_names_the_linux_layer() throws Exception {
        assertEquals(Set.of("io/netpoll/poller/fd/SocketLayer"), classesNaming(LINUX_LAYER));
    }

    @Test
    void the_refusing_loader_really_refuses_the_linux_classes() throws Exception {
        ClassLoader loader = new RefusingLoader();
        assertThrows(ClassNotFoundException.class, () -> Class.forName(LINUX_LAYER.replace('/', '.'), true, loader));
        Throwable e = assertThrows(InvocationTargetException.class, () -> forOs(loader, "Linux")).getCause();
        assertInstanceOf(NoClassDefFoundError.class, e, "selecting Linux must need the Linux layer");
    }

    @Test
    void macos_freebsd_and_windows_paths_load_without_any_linux_class() throws Exception {
        ClassLoader loader = new RefusingLoader();
        assertEquals("BsdSocketLayer", forOs(loader, "Mac OS X").getClass().getSimpleName());
        assertEquals("BsdSocketLayer", forOs(loader, "FreeBSD").getClass().getSimpleName());
        assertEquals("WinsockSocketLayer", forOs(loader, "Windows 11").getClass().getSimpleName());
        for (String name : List.of("fd.NetFD", "fd.SocketFactory", "fd.Syscalls", "fd.IoOp", "fd.ThreadOp", "fd.SocketOptions", "fd.Iovecs",
                "fd.Msghdr", "fd.FutureOp", "fd.BsdSocketLayer", "fd.WinsockSocketLayer", "kqueue.KqueuePoller",
                "iocp.IocpPoller", "Netpoll")) {
            Class<?> c = Class.forName("io.netpoll.poller." + name, true, loader);
            assertEquals(loader, c.getClassLoader(), name + " must come from the refusing loader");
        }
    }

    private static Object forOs(ClassLoader loader, String os) throws Exception {
        Method m = Class.forName("io.netpoll.poller.fd.SocketLayer", true, loader).getMethod("forOs", String.class);
        m.setAccessible(true);
        return m.invoke(null, os);
    }

    private static Path classesRoot() throws URISyntaxException {
        return Path.of(NetFD.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** Every main class whose constant pool contains {@code internalName} (outer name, without $nested). */
    private static Set<String> classesNaming(String internalName) throws Exception {
        Path root = classesRoot();
        byte[] needle = internalName.getBytes(StandardCharsets.UTF_8);
        Set<String> found = new TreeSet<>();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(p -> p.toString().endsWith(".class")).forEach(files::add);
        }
        assertTrue(files.size() > 50, "compiled classes at " + root);
        for (Path p : files) {
            String name = root.relativize(p).toString().replace('\\', '/').replaceAll("(\\$.*)?\\.class$", "");
            if (name.equals(internalName)) {
                continue;
            }
            if (contains(Files.readAllBytes(p), needle, internalName.length())) {
                found.add(name);
            }
        }
        return found;
    }

    /** True if {@code hay} holds {@code needle} not followed by a character that would continue the class name. */
    private static boolean contains(byte[] hay, byte[] needle, int len) {
        outer:
        for (int i = 0; i + len <= hay.length; i++) {
            for (int j = 0; j < len; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            int next = i + len < hay.length ? hay[i + len] : 0;
            if (!Character.isLetterOrDigit(next) && next != '_') {
                return true;
            }
        }
        return false;
    }

    /** Loads io.netpoll classes itself (child-first) and refuses the Linux-only ones. */
    private static final class RefusingLoader extends ClassLoader {
        RefusingLoader() {
            super(LinuxOnlyIsolationTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("io.netpoll.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c != null) {
                    return c;
                }
                String path = name.replace('.', '/');
                if (path.equals(LINUX_LIBC) || path.equals(JNA_LINUX_CALLS) || path.equals(FFM_LINUX_CALLS)
                        || path.startsWith(LINUX_LAYER) || path.startsWith("io/netpoll/poller/epoll/")
                        || path.startsWith("io/netpoll/poller/iouring/")) {
                    throw new ClassNotFoundException(name + " is Linux-only");
                }
                try (InputStream in = getParent().getResourceAsStream(path + ".class")) {
                    if (in == null) {
                        throw new ClassNotFoundException(name);
                    }
                    byte[] b = in.readAllBytes();
                    return defineClass(name, b, 0, b.length);
                } catch (IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
            }
        }
    }
}
