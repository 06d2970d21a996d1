package io.netpoll.poller.fd;

import io.netpoll.poller.Netpoll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Part of the {@code io-uring} surefire execution, which repeats the NetFD suites with
 * {@code -Dnetpoll.backend=io_uring} and names the backend it expects in
 * {@code netpoll.test.expectBackend}: fails if the process's Netpoll runs another one, so those
 * suites cannot pass on epoll by mistake. Elsewhere (no expectation set) it is skipped.
 */
class IoUringProcessTest {
    @Test
    void the_process_netpoll_runs_the_backend_the_execution_asked_for() {
        String expected = System.getProperty("netpoll.test.expectBackend");
        assumeTrue(expected != null, "not in an execution that selects a backend");
        assertEquals(expected, Netpoll.get().stats().backend());
    }
}
