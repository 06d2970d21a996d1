package io.netpoll.poller;

import io.netpoll.poller.kqueue.KqueueNative;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which backend {@link Netpoll} picks by OS, the {@code -Dnetpoll.backend} names, and the errors. */
class BackendSelectionTest {
    private static void assertNamesEveryBackend(String message) {
        for (String name : new String[] {"epoll", "kqueue", "iocp"}) {
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

    @Test
    void epoll_opens_here() throws Exception {
        try (Poller p = Netpoll.openBackend("epoll")) {
            assertEquals("epoll", p.name());
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
