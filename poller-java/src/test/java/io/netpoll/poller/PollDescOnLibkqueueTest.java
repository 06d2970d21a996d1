package io.netpoll.poller;

import com.sun.jna.NativeLibrary;
import io.netpoll.poller.kqueue.KqueueNative;
import io.netpoll.poller.kqueue.KqueuePoller;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The conformance suite on the kqueue backend over libkqueue, a user-space kqueue on top of
 * Linux's epoll, loaded the way users would: {@code -Dnetpoll.kqueue.library=kqueue}. Skipped, with
 * the reason printed, when libkqueue is not installed.
 */
class PollDescOnLibkqueueTest extends PollDescConformance {
    static final String LIBRARY = "kqueue";

    @BeforeAll
    static void requireLibkqueue() {
        String reason = null;
        try {
            NativeLibrary.getInstance(LIBRARY).getFunction("kevent");
        } catch (UnsatisfiedLinkError e) {
            reason = "libkqueue is not installed (lib" + LIBRARY + ".so not loadable: " + e.getMessage().split("\n")[0] + ")";
        }
        if (reason != null) {
            System.out.println("SKIPPED PollDescOnLibkqueueTest: " + reason);
        }
        Assumptions.assumeTrue(reason == null, reason);
        System.setProperty(KqueueNative.LIBRARY_PROPERTY, LIBRARY);
    }

    @Override
    protected Poller newPoller() throws Exception {
        return new KqueuePoller();
    }
}
