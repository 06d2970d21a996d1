package io.netpoll.poller;

import io.netpoll.poller.kqueue.KqueueNative;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code -Dnetpoll.backend=kqueue -Dnetpoll.kqueue.library=doesnotexist}: {@link Netpoll#get()} fails
 * with the same kind of error as every other selection mistake, an {@link IllegalStateException}
 * naming the library and the supported backends, not a bare {@link UnsatisfiedLinkError}. It does
 * so the first time (JNA cannot load the library) and every later time (the binding class failed
 * to initialise, so the JVM answers NoClassDefFoundError). That failure is permanent for the JVM,
 * so this class runs in a JVM of its own (poller-java/pom.xml, execution kqueue-binding-own-jvm),
 * where it sets the two properties before anything binds.
 */
class KqueueLibraryMissingTest {
    private static final String MISSING = "doesnotexist";

    @BeforeAll
    static void selectKqueueFromAMissingLibrary() {
        String bound = System.getProperty(KqueueNative.LIBRARY_PROPERTY);
        if (bound != null) {
            String reason = "this JVM may have bound kqueue from '" + bound + "' already (run in a JVM of its own)";
            System.out.println("SKIPPED KqueueLibraryMissingTest: " + reason);
            Assumptions.abort(reason);
        }
        System.setProperty("netpoll.backend", "kqueue");
        System.setProperty(KqueueNative.LIBRARY_PROPERTY, MISSING);
    }

    @AfterAll
    static void clearTheSelection() {
        System.clearProperty("netpoll.backend");
        System.clearProperty(KqueueNative.LIBRARY_PROPERTY);
    }

    @Test
    void a_missing_kqueue_library_fails_naming_it_and_the_supported_backends_every_time() {
        for (int attempt = 1; attempt <= 2; attempt++) {
            IllegalStateException e = assertThrows(IllegalStateException.class, Netpoll::get, "attempt " + attempt);
            assertTrue(e.getMessage().contains("'" + MISSING + "'"), e.getMessage());
            assertTrue(e.getMessage().endsWith("; supported: " + Netpoll.SUPPORTED_BACKENDS), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
            assertInstanceOf(UnsatisfiedLinkError.class, e.getCause());
        }
    }
}
