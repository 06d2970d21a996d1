package io.netpoll.testing;

import io.netpoll.poller.Netpoll;
import io.netpoll.poller.fd.NetFD;
import io.netpoll.poller.sys.Sys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * The leak detector can fail: a child JUnit launch (extension autodetection on, as the build
 * configures every module) runs a class that leaves a socketpair open, and that class must fail
 * with a message naming the leak; a class that closes what it opens, and an exempt one, pass.
 */
class LeakDetectorTest {
    /** Not run by surefire (a nested class); only by the child launches below. */
    static class LeavesASocketpairOpen {
        static NetFD[] leaked;

        @Test
        void opens_two_descriptors_and_never_closes_them() throws IOException {
            leaked = NetFD.socketPair(Sys.SOCK_STREAM);
        }
    }

    static class ClosesWhatItOpens {
        @Test
        void opens_and_closes() throws IOException {
            NetFD[] p = NetFD.socketPair(Sys.SOCK_STREAM);
            p[0].close();
            p[1].close();
        }
    }

    @AllowsOpenDescriptors("the test of the opt-out")
    static class ExemptAndLeaky {
        static NetFD[] leaked;

        @Test
        void opens_two_descriptors_and_never_closes_them() throws IOException {
            leaked = NetFD.socketPair(Sys.SOCK_STREAM);
        }
    }

    @AfterAll
    static void closeWhatTheChildrenLeft() {
        for (NetFD[] p : new NetFD[][] {LeavesASocketpairOpen.leaked, ExemptAndLeaky.leaked}) {
            if (p != null) {
                p[0].close();
                p[1].close();
            }
        }
    }

    /** Runs {@code testClass} in a child launch; returns the failure of its class container, or null. */
    private static Throwable classFailure(Class<?> testClass) {
        LauncherDiscoveryRequest req = request()
                .selectors(selectClass(testClass))
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .build();
        List<Throwable> failures = new ArrayList<>();
        List<String> passed = new ArrayList<>();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(req, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (id.isTest() && result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                    passed.add(id.getDisplayName());
                }
                if (id.isContainer() && id.getLegacyReportingName().equals(testClass.getName())
                        && result.getStatus() == TestExecutionResult.Status.FAILED) {
                    failures.add(result.getThrowable().orElseThrow());
                }
            }
        });
        assertEquals(1, passed.size(), "the child's own test passed: " + passed);
        return failures.isEmpty() ? null : failures.get(0);
    }

    @Test
    void a_class_that_leaves_a_netfd_open_fails_with_a_message_naming_the_leak() {
        int before = Netpoll.get().stats().netFDs();
        long t0 = System.nanoTime();
        System.setProperty("netpoll.leakCheck.settleMillis", "300");
        Throwable failure;
        try {
            failure = classFailure(LeavesASocketpairOpen.class);
        } finally {
            System.clearProperty("netpoll.leakCheck.settleMillis");
        }
        assertTrue(failure instanceof AssertionError, "the class failed: " + failure);
        String m = failure.getMessage();
        System.out.println("LeakDetectorTest: child class failed after " + (System.nanoTime() - t0) / 1_000_000 + " ms with: " + m);
        assertTrue(m.contains(LeavesASocketpairOpen.class.getName()), m);
        assertTrue(m.contains("2 NetFDs open"), m);
        assertTrue(m.contains("2 PollDescs registered"), m);
        assertTrue(m.split("socket:\\[").length == 3, "names both descriptors: " + m);
        assertEquals(before + 2, Netpoll.get().stats().netFDs());
    }

    @Test
    void a_class_that_closes_what_it_opens_passes() {
        assertNull(classFailure(ClosesWhatItOpens.class));
    }

    @Test
    void a_class_marked_allows_open_descriptors_is_not_checked() {
        assertNull(classFailure(ExemptAndLeaky.class));
    }
}
