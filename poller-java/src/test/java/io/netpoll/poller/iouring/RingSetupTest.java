package io.netpoll.poller.iouring;

import io.netpoll.poller.sys.LinuxCalls;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Proxy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@link Ring#setup} says when the kernel refuses io_uring, which this machine will not do on
 * request: the refusal comes from a {@link LinuxCalls} whose io_uring_setup(2) fails with the errno
 * a sysctl, a seccomp filter or an old kernel gives.
 */
class RingSetupTest {
    private static final int EPERM = 1;
    private static final int EACCES = 13;
    private static final int EMFILE = 24;
    private static final int ENOSYS = 38;

    /** Calls whose io_uring_setup fails with {@code errno}; nothing else may be called. */
    private static LinuxCalls refusing(int errno) {
        return (LinuxCalls) Proxy.newProxyInstance(LinuxCalls.class.getClassLoader(), new Class<?>[]{LinuxCalls.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("io_uring_setup")) {
                        return -errno;
                    }
                    throw new AssertionError("setup called " + method.getName() + " after io_uring_setup failed");
                });
    }

    @Test
    void the_sysctl_a_seccomp_filter_or_a_kernel_without_io_uring_is_an_illegal_state_naming_them() {
        for (int errno : new int[]{EPERM, EACCES, ENOSYS}) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Ring.setup(refusing(errno), 8, 16, 0), "errno " + errno);
            String m = e.getMessage();
            assertTrue(m.contains("io_uring is not available"), m);
            assertTrue(m.contains("(errno " + errno + ")"), m);
            assertTrue(m.contains("kernel.io_uring_disabled") && m.contains("seccomp"), m);
        }
    }

    @Test
    void any_other_failure_is_an_io_exception_naming_the_call() {
        IOException e = assertThrows(IOException.class, () -> Ring.setup(refusing(EMFILE), 8, 16, 0));
        assertTrue(e.getMessage().contains("io_uring_setup"), e.getMessage());
        assertFalse(e.getMessage().contains("not available"), e.getMessage());
    }
}
