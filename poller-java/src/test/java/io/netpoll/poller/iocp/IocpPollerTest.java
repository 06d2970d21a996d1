package io.netpoll.poller.iocp;

import io.netpoll.poller.PollDesc;
import io.netpoll.poller.Poller;
import io.netpoll.poller.TestDescriptors;
import io.netpoll.poller.sys.windows.WinStructs;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The IOCP backend's logic against {@link IocpModel}: what it writes into AFD_POLL_INFO, how it
 * turns one-shot AFD polls into edges, eviction on LOCAL_CLOSE, cancellation racing completion,
 * stale completions after handle reuse, wakeup coalescing and timeouts.
 */
class IocpPollerTest {
    private static final int ALL = Afd.POLL_LOCAL_CLOSE | Afd.READ_EVENTS | Afd.WRITE_EVENTS;
    private static final int READ_ONLY = Afd.POLL_LOCAL_CLOSE | Afd.READ_EVENTS;
    private static final int WRITE_ONLY = Afd.POLL_LOCAL_CLOSE | Afd.WRITE_EVENTS;

    private final IocpModel m = new IocpModel();

    private static List<long[]> collect(IocpPoller p, long timeoutNanos) {
        List<long[]> out = new ArrayList<>();
        p.poll(timeoutNanos, timeoutNanos != 0, (token, bits) -> out.add(new long[] {token, bits}));
        return out;
    }

    private static String only(List<long[]> ev) {
        assertEquals(1, ev.size(), "events: " + ev.size());
        return ev.get(0)[0] + ":" + ev.get(0)[1];
    }

    @Test
    void open_issues_one_afd_poll_for_both_directions_on_the_base_socket() throws IOException {
        try (IocpPoller p = new IocpPoller(m)) {
            PollDesc pd = TestDescriptors.withId(5, 0x1f4);
            p.open(0x1f4, pd);
            IocpModel.PollRequest r = m.only(0x1f4);
            assertEquals(ALL, r.events);
            assertEquals(Long.MAX_VALUE, r.timeout, "no AFD timeout: the port wait bounds it");
            assertEquals(1, r.numberOfHandles);
            assertEquals(0, r.exclusive);
            assertNotEquals(0, r.apcContext, "the slot travels as ApcContext, never 0");
            assertEquals(r.iosb + WinStructs.IO_STATUS_BLOCK_SIZE, r.info, "IO_STATUS_BLOCK then AFD_POLL_INFO");
        }
    }

    @Test
    void a_readable_socket_is_one_read_edge_until_the_reader_rearms() throws IOException {
        try (IocpPoller p = new IocpPoller(m)) {
            PollDesc pd = TestDescriptors.withId(1, 8);
            p.open(8, pd);
            m.complete(m.only(8), Afd.POLL_RECEIVE, Afd.STATUS_SUCCESS);
            assertEquals(pd.token() + ":" + Poller.READ, only(collect(p, 0)));
            assertEquals(WRITE_ONLY, m.only(8).events, "the reported direction is not polled again");
            assertEquals(0, collect(p, 0).size());
            p.rearm(8, pd.token(), Poller.READ); // the reader met EAGAIN
            assertEquals(0, collect(p, 0).size(), "the cancelled request reports nothing");
            assertEquals(ALL, m.only(8).events, "re-issued with the read direction back");
            m.complete(m.only(8), Afd.POLL_RECEIVE, Afd.STATUS_SUCCESS);
            assertEquals(pd.token() + ":" + Poller.READ, only(collect(p, 0)));
        }
    }

    @Test
    void an_always_writable_socket_does_not_complete_every_poll() throws IOException {
        try (IocpPoller p = new IocpPoller(m)) {
            PollDesc pd = TestDescriptors.withId(1, 8);
            p.open(8, pd);
            m.complete(m.only(8), Afd.POLL_SEND, Afd.STATUS_SUCCESS);
            assertEquals(pd.token() + ":" + Poller.WRITE, only(collect(p, 0)));
            assertEquals(READ_ONLY, m.only(8).events);
            int before = m.submitted.size();
            p.rearm(8, pd.token(), Poller.READ);
            assertEquals(before, m.submitted.size(), "re-arming a direction still polled costs nothing");
            p.rearm(8, pd.token(), Poller.WRITE);
            collect(p, 0);
            assertEquals(ALL, m.only(8).events);
        }
    }

    @Test
    void reset_and_failed_connect_wake_both_directions() throws IOException {
        try (IocpPoller p = new IocpPoller(m)) {
            PollDesc pd = TestDescriptors.withId(1, 8);
            p.open(8, pd);
            m.complete(m.only(8), Afd.POLL_CONNECT_FAIL, Afd.STATUS_SUCCESS);
            assertEquals(pd.token() + ":" + (Poller.READ | Poller.WRITE), only(collect(p, 0)));
            assertEquals(0, m.pendingFor(8).size(), "both directions reported: nothing left to poll for");
            p.rearm(8, pd.token(), Poller.READ);
            m.complete(m.only(8), Afd.POLL_ABORT, Afd.STATUS_SUCCESS);
            assertEquals(pd.token() + ":" + (Poller.READ | Poller.WRITE), only(collect(p, 0)));
        }
    }

    @Test
    void a_failed_request_or_submission_wakes_both_directions_to_meet_the_error() throws IOException {
        try (IocpPoller p = new IocpPoller(m)) {
            PollDesc pd = TestDescriptors.withId(1, 8);
            p.open(8, pd);
            m.complete(m.only(8), 0, 0xC0000008); // STATUS_INVALID_HANDLE
            assertEquals(pd.token() + ":" + (Poller.READ | Poller.WRITE), only(collect(p, 0)));
            m.failNextSubmit(0xC0000008);
            p.rearm(8, pd.token(), Poller.READ);
            assertEquals(0, m.pendingFor(8).size());
            assertEquals(pd.token() + ":" + (Poller.READ | Poller.WRITE), only(collect(p, 0)));
        }
    }

    @Test
    void local_close_evicts_the_socket_without_reporting_and_frees_its_slot() throws IOException {
        try (IocpPoller p = new IocpPoller(m)) {
            p.open(8, TestDescriptors.withId(1, 8));
            long oldCtx = m.only(8).apcContext;
            m.complete(m.only(8), Afd.POLL_LOCAL_CLOSE, Afd.STATUS_SUCCESS);
            assertEquals(0, collect(p, 0).size());
            assertEquals(0, m.pendingFor(8).size(), "not re-issued");
            int cancels = m.cancels;
            p.close(8);
            assertEquals(cancels, m.cancels, "nothing in flight to cancel");
            p.open(12, TestDescriptors.withId(2, 12));
            assertEquals(oldCtx, m.only(12).apcContext, "the slot is reused once nothing can complete on it");
        }
    }

    @Test
    void a_cancel_that_loses_to_the_completion_reports_it_and_leaves_one_request() throws IOException {
        try (IocpPoller p = new IocpPoller(m)) {
            PollDesc pd = TestDescriptors.withId(1, 8);
            p.open(8, pd);
            m.complete(m.only(8), Afd.POLL_SEND, Afd.STATUS_SUCCESS);
            collect(p, 0);
            assertEquals(READ_ONLY, m.only(8).events);
            m.complete(m.only(8), Afd.POLL_RECEIVE, Afd.STATUS_SUCCESS); // completed, packet queued
            p.rearm(8, pd.token(), Poller.WRITE);                         // cancel finds nothing
            assertEquals(1, m.cancels);
            assertEquals(0, m.pendingFor(8).size(), "no second request while one is still in flight");
            assertEquals(pd.token() + ":" + Poller.READ, only(collect(p, 0)), "the winning completion is reported");
            assertEquals(WRITE_ONLY, m.only(8).events, "re-issued once, with the re-armed direction");
        }
    }

    @Test
    void a_cancel_that_fails_other_than_not_found_fails_the_rearm_and_the_request_still_completes() throws IOException {
        try (IocpPoller p = new IocpPoller(m)) {
            PollDesc pd = TestDescriptors.withId(1, 8);
            p.open(8, pd);
            m.complete(m.only(8), Afd.POLL_SEND, Afd.STATUS_SUCCESS);
            collect(p, 0);
            assertEquals(READ_ONLY, m.only(8).events);
            int statusInvalidHandle = 0xC0000008;
            m.failNextCancel(statusInvalidHandle);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.rearm(8, pd.token(), Poller.WRITE));
            assertTrue(e.getMessage().contains("status 0xc0000008"), e.getMessage());
            m.complete(m.only(8), Afd.POLL_RECEIVE, Afd.STATUS_SUCCESS);
            assertEquals(pd.token() + ":" + Poller.READ, only(collect(p, 0)));
            assertEquals(WRITE_ONLY, m.only(8).events, "the re-armed direction is polled from the next request on");
        }
    }

    @Test
    void a_cancel_that_wins_reissues_with_the_new_directions() throws IOException {
        try (IocpPoller p = new IocpPoller(m)) {
            PollDesc pd = TestDescriptors.withId(1, 8);
            p.open(8, pd);
            m.complete(m.only(8), Afd.POLL_SEND | Afd.POLL_RECEIVE, Afd.STATUS_SUCCESS);
            assertEquals(pd.token() + ":" + (Poller.READ | Poller.WRITE), only(collect(p, 0)));
            p.rearm(8, pd.token(), Poller.READ);
            assertEquals(READ_ONLY, m.only(8).events, "nothing in flight: issued at once");
            p.rearm(8, pd.token(), Poller.WRITE);
            assertEquals(0, m.pendingFor(8).size(), "cancelled");
            assertEquals(0, collect(p, 0).size());
            assertEquals(ALL, m.only(8).events);
        }
    }

    @Test
    void a_late_completion_for_a_closed_socket_never_reaches_the_next_owner_of_its_handle() throws IOException {
        try (IocpPoller p = new IocpPoller(m)) {
            PollDesc old = TestDescriptors.withId(1, 8);
            p.open(8, old);
            IocpModel.PollRequest oldReq = m.only(8);
            m.complete(oldReq, Afd.POLL_RECEIVE, Afd.STATUS_SUCCESS); // data arrived, not yet collected
            p.close(8);
            PollDesc next = TestDescriptors.withId(2, 8);
            p.open(8, next);
            IocpModel.PollRequest nextReq = m.only(8);
            assertNotEquals(oldReq.apcContext, nextReq.apcContext, "the old slot is still owed a completion");
            assertEquals(0, collect(p, 0).size(), "the old completion is dropped");
            m.complete(nextReq, Afd.POLL_RECEIVE, Afd.STATUS_SUCCESS);
            assertEquals(next.token() + ":" + Poller.READ, only(collect(p, 0)));

            p.close(8); // a pending request this time: cancelled, then dropped
            assertEquals(0, collect(p, 0).size());
            assertEquals(0, m.pendingFor(8).size());
        }
    }

    @Test
    void rearm_with_a_stale_token_is_ignored() throws IOException {
        try (IocpPoller p = new IocpPoller(m)) {
            PollDesc pd = TestDescriptors.withId(1, 8);
            p.open(8, pd);
            m.complete(m.only(8), Afd.POLL_RECEIVE, Afd.STATUS_SUCCESS);
            collect(p, 0);
            p.rearm(8, pd.token() + 1, Poller.READ);
            assertEquals(0, m.cancels);
            assertEquals(WRITE_ONLY, m.only(8).events);
        }
    }

    @Test
    void wakeups_are_coalesced_into_one_posted_packet_per_poll() throws Exception {
        try (IocpPoller p = new IocpPoller(m)) {
            for (int i = 0; i < 1000; i++) {
                p.wakeup();
            }
            assertEquals(1, m.posts);
            assertEquals(1, p.wakeupWrites());
            assertEquals(0, collect(p, -1).size(), "the wakeup ends a forever wait and is not an event");
            p.wakeup();
            assertEquals(2, m.posts, "consumed, so the next one posts again");

            collect(p, 1);
            CountDownLatch returned = new CountDownLatch(1);
            Thread t = new Thread(() -> {
                collect(p, -1);
                returned.countDown();
            });
            t.start();
            Thread.sleep(20);
            p.wakeup();
            assertTrue(returned.await(5, TimeUnit.SECONDS), "wakeup broke a blocked poll");
            t.join();
        }
    }

    @Test
    void a_wakeup_taken_by_a_non_blocking_poll_is_posted_again_for_the_blocking_poll() throws IOException {
        try (IocpPoller p = new IocpPoller(m)) {
            p.wakeup();
            assertEquals(0, collect(p, 0).size(), "a wakeup is not an event");
            assertEquals(2, m.posts, "the non-blocking poll dequeued it and posted it again");
            assertEquals(1, m.queued());
            long t0 = System.nanoTime();
            collect(p, TimeUnit.SECONDS.toNanos(5));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1), "the blocking poll got the wakeup");
            assertEquals(0, m.queued());
            p.wakeup();
            assertEquals(3, m.posts, "the blocking poll consumed it, so the next wakeup posts");
        }
    }

    @Test
    void timeouts_round_up_to_milliseconds_and_keep_their_meaning() throws IOException {
        assertEquals(IocpSyscalls.INFINITE, IocpPoller.toMillis(-1));
        assertEquals(0, IocpPoller.toMillis(0));
        assertEquals(1, IocpPoller.toMillis(1));
        assertEquals(1, IocpPoller.toMillis(1_000_000));
        assertEquals(2, IocpPoller.toMillis(1_000_001));
        assertEquals(0xFFFFFFFE, IocpPoller.toMillis(Long.MAX_VALUE), "the longest finite wait, not INFINITE");
        try (IocpPoller p = new IocpPoller(m)) {
            long t0 = System.nanoTime();
            assertEquals(0, collect(p, TimeUnit.MILLISECONDS.toNanos(20)).size());
            assertEquals(20, m.lastTimeoutMillis);
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    @Test
    void close_releases_the_afd_handle_and_the_port() throws IOException {
        IocpPoller p = new IocpPoller(m);
        p.close();
        assertTrue(m.closed);
    }
}
