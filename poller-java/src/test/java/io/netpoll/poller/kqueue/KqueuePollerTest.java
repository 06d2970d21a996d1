package io.netpoll.poller.kqueue;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.poller.Netpoll;
import io.netpoll.poller.PollDesc;
import io.netpoll.poller.Poller;
import io.netpoll.poller.TestDescriptors;
import io.netpoll.testing.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.time.Duration;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kqueue backend's translation logic against {@link KqueueModel}: registration flags, EV_CLEAR
 * edges, EOF and error mapping, the EVFILT_USER wakeup, timeouts, EINTR and close. The platforms
 * run the same tests, so both kevent layouts and both EVFILT_USER numbers go through the backend.
 */
class KqueuePollerTest {
    private static KqueuePlatform platform(String name) {
        switch (name) {
            case "darwin":
                return KqueuePlatform.DARWIN;
            case "freebsd":
                return KqueuePlatform.FREEBSD;
            case "freebsd<12":
                return KqueuePlatform.FREEBSD_LEGACY;
            default:
                return KqueuePlatform.LIBKQUEUE;
        }
    }

    private static List<long[]> collect(KqueuePoller p, long timeoutNanos) {
        List<long[]> out = new ArrayList<>();
        p.poll(timeoutNanos, timeoutNanos != 0, (token, bits) -> out.add(new long[] {token, bits}));
        return out;
    }

    private static String events(List<long[]> ev) {
        StringBuilder sb = new StringBuilder();
        for (long[] e : ev) {
            sb.append(Long.toHexString(e[0])).append(':').append(e[1]).append(' ');
        }
        return sb.toString().trim();
    }

    @ParameterizedTest
    @ValueSource(strings = {"darwin", "freebsd", "freebsd<12", "libkqueue"})
    void open_adds_read_and_write_with_ev_clear_and_the_token_in_udata(String name) throws IOException {
        KqueuePlatform p = platform(name);
        KqueueModel m = new KqueueModel(p);
        try (KqueuePoller poller = new KqueuePoller(m, p, false)) {
            int fd = m.openFd();
            PollDesc pd = TestDescriptors.withId(7, fd);
            poller.open(fd, pd);
            String token = Long.toHexString(pd.token());
            assertEquals(List.of(
                    "0/" + p.evfiltUser + "/0x1/0",
                    fd + "/-1/0x21/" + token,
                    fd + "/-2/0x21/" + token), m.knotes(m.onlyQueue()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"darwin", "freebsd", "freebsd<12", "libkqueue"})
    void each_arrival_is_one_read_edge_and_nothing_repeats_without_one(String name) throws IOException {
        KqueuePlatform p = platform(name);
        KqueueModel m = new KqueueModel(p);
        try (KqueuePoller poller = new KqueuePoller(m, p, false)) {
            int fd = m.openFd();
            PollDesc pd = TestDescriptors.withId(3, fd);
            poller.open(fd, pd);
            assertEquals(pd.token() + ":" + Poller.WRITE, only(collect(poller, 0)), "a fresh socket is writable once");
            assertEquals(0, collect(poller, 0).size());
            m.arrive(fd, 10);
            assertEquals(pd.token() + ":" + Poller.READ, only(collect(poller, 0)));
            assertEquals(0, collect(poller, 0).size(), "EV_CLEAR: no repeat while the data sits unread");
            m.arrive(fd, 5);
            assertEquals(pd.token() + ":" + Poller.READ, only(collect(poller, 0)), "new data is a new edge");
            m.sendBufferFull(fd, true);
            m.sendBufferFull(fd, false);
            assertEquals(pd.token() + ":" + Poller.WRITE, only(collect(poller, 0)), "room in the send buffer again");
        }
    }

    private static String only(List<long[]> ev) {
        assertEquals(1, ev.size(), "events: " + events(ev));
        return ev.get(0)[0] + ":" + ev.get(0)[1];
    }

    @Test
    void data_read_before_the_poll_is_not_reported() throws IOException {
        KqueueModel m = new KqueueModel(KqueuePlatform.DARWIN);
        try (KqueuePoller poller = new KqueuePoller(m, KqueuePlatform.DARWIN, false)) {
            int fd = m.openFd();
            poller.open(fd, TestDescriptors.withId(1, fd));
            collect(poller, 0);
            m.arrive(fd, 1);
            m.consume(fd);
            assertEquals(0, collect(poller, 0).size());
        }
    }

    @Test
    void peer_close_is_a_read_edge_and_a_reset_wakes_both_directions_with_its_errno() throws IOException {
        KqueueModel m = new KqueueModel(KqueuePlatform.FREEBSD);
        try (KqueuePoller poller = new KqueuePoller(m, KqueuePlatform.FREEBSD, false)) {
            int a = m.openFd();
            int b = m.openFd();
            PollDesc pa = TestDescriptors.withId(1, a);
            PollDesc pb = TestDescriptors.withId(2, b);
            poller.open(a, pa);
            poller.open(b, pb);
            collect(poller, 0);
            m.sendBufferFull(a, true);
            m.peerClosed(a, 0);
            List<long[]> ev = collect(poller, 0);
            int readEof = Poller.READ | Poller.WRITE | Poller.HANGUP;
            assertEquals(pa.token() + ":" + readEof + " " + pa.token() + ":" + Poller.WRITE,
                    tokens(ev), "EV_EOF fires both filters; the read one is a hang-up and wakes the writer too");
            m.sendBufferFull(b, true);
            m.peerClosed(b, 54); // ECONNRESET on BSD, carried in fflags
            ev = collect(poller, 0);
            int both = Poller.READ | Poller.WRITE | Poller.HANGUP | (54 << Poller.ERRNO_SHIFT);
            assertEquals(pb.token() + ":" + both + " " + pb.token() + ":" + both, tokens(ev),
                    "the errno goes along for a library that cleared SO_ERROR to fill fflags");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"darwin", "freebsd", "freebsd<12", "libkqueue"})
    void eof_on_the_read_filter_alone_wakes_the_writer_too(String name) throws IOException {
        KqueuePlatform p = platform(name);
        KqueueModel m = new KqueueModel(p);
        try (KqueuePoller poller = new KqueuePoller(m, p, false)) {
            int fd = m.openFd();
            PollDesc pd = TestDescriptors.withId(6, fd);
            poller.open(fd, pd);
            collect(poller, 0);
            m.sendBufferFull(fd, true);
            m.readerClosed(fd);
            assertEquals(pd.token() + ":" + (Poller.READ | Poller.WRITE | Poller.HANGUP), only(collect(poller, 0)),
                    "the pipe's write filter never fires, so the read filter's EOF must wake a waiting writer");
        }
    }

    private static String tokens(List<long[]> ev) {
        StringBuilder sb = new StringBuilder();
        for (long[] e : ev) {
            sb.append(sb.length() == 0 ? "" : " ").append(e[0]).append(':').append(e[1]);
        }
        return sb.toString();
    }

    @Test
    void a_knote_that_fails_is_reported_as_error_alone() throws IOException {
        KqueueModel m = new KqueueModel(KqueuePlatform.DARWIN);
        try (KqueuePoller poller = new KqueuePoller(m, KqueuePlatform.DARWIN, false)) {
            int fd = m.openFd();
            PollDesc pd = TestDescriptors.withId(4, fd);
            poller.open(fd, pd);
            collect(poller, 0);
            m.failKnote(m.onlyQueue(), fd, -1, 22);
            assertEquals(pd.token() + ":" + Poller.ERROR, only(collect(poller, 0)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"darwin", "freebsd", "freebsd<12", "libkqueue"})
    void the_wakeup_is_recognised_by_filter_and_ident_even_when_the_trigger_rewrote_udata(String name) throws Exception {
        KqueuePlatform p = platform(name);
        KqueueModel m = new KqueueModel(p);
        m.udataWrittenByTrigger = 0x0000000700000001L; // looks like a real token
        try (KqueuePoller poller = new KqueuePoller(m, p, false)) {
            CountDownLatch returned = new CountDownLatch(1);
            List<long[]> seen = new ArrayList<>();
            Thread t = new Thread(() -> {
                seen.addAll(collect(poller, -1));
                returned.countDown();
            });
            t.start();
            Thread.sleep(20);
            poller.wakeup();
            assertTrue(returned.await(5, TimeUnit.SECONDS), "wakeup broke the forever-blocked poll");
            t.join();
            assertEquals(0, seen.size(), "the wakeup is not an fd event: " + events(seen));
            assertTrue(m.changeLog.contains("0/" + p.evfiltUser + "/0x4/0x1000000"), m.changeLog.toString());
        }
    }

    @Test
    void wakeups_are_coalesced_until_the_poller_consumes_one() throws IOException {
        KqueueModel m = new KqueueModel(KqueuePlatform.DARWIN);
        try (KqueuePoller poller = new KqueuePoller(m, KqueuePlatform.DARWIN, false)) {
            for (int i = 0; i < 1000; i++) {
                poller.wakeup();
            }
            assertEquals(1, m.triggers);
            assertEquals(1, poller.wakeupWrites());
            assertEquals(0, collect(poller, TimeUnit.SECONDS.toNanos(5)).size());
            poller.wakeup();
            poller.wakeup();
            assertEquals(2, m.triggers, "consumed, so the next wakeup triggers again");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"darwin", "freebsd", "libkqueue"})
    void a_wakeup_survives_a_non_blocking_poll_and_a_blocking_poll_consumes_it(String name) throws IOException {
        KqueuePlatform p = platform(name);
        KqueueModel m = new KqueueModel(p);
        try (KqueuePoller poller = new KqueuePoller(m, p, false)) {
            poller.wakeup();
            assertEquals(0, collect(poller, 0).size(), "a wakeup is not an event");
            assertEquals(0, collect(poller, 0).size());
            poller.wakeup();
            assertEquals(1, m.triggers, "still pending after non-blocking polls: coalesced");
            long t0 = System.nanoTime();
            collect(poller, TimeUnit.SECONDS.toNanos(5));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1), "the blocking poll saw the pending wakeup");
            assertTrue(m.changeLog.contains("0/" + p.evfiltUser + "/0x8/0x0"), "consumed by EV_DISABLE: " + m.changeLog);
            t0 = System.nanoTime();
            collect(poller, TimeUnit.MILLISECONDS.toNanos(30));
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(30), "a consumed wakeup does not end the next wait");
            poller.wakeup();
            assertEquals(2, m.triggers, "and the next wakeup triggers again");
        }
    }

    @Test
    void timeouts_become_timespecs_with_their_three_meanings() throws IOException {
        KqueueModel m = new KqueueModel(KqueuePlatform.DARWIN);
        try (KqueuePoller poller = new KqueuePoller(m, KqueuePlatform.DARWIN, false)) {
            collect(poller, 0);
            assertEquals(0, m.lastTimeoutNanos, "0: a zero timespec, no wait");
            long t0 = System.nanoTime();
            collect(poller, 1_500_001);
            assertEquals(1_500_001, m.lastTimeoutNanos, "nanosecond resolution, no rounding");
            assertTrue(System.nanoTime() - t0 >= 1_500_001);
            poller.wakeup();
            collect(poller, -1);
            assertEquals(-1, m.lastTimeoutNanos, "<0: a null timespec, forever");
            poller.wakeup();
            collect(poller, Long.MAX_VALUE);
            assertEquals(KqueuePoller.MAX_WAIT_SECONDS * 1_000_000_000L, m.lastTimeoutNanos, "capped, as Darwin rejects longer");
        }
    }

    @Test
    void eintr_ends_a_timed_poll_quietly_and_is_retried_by_a_forever_poll_registration_and_wakeup() throws IOException {
        KqueueModel m = new KqueueModel(KqueuePlatform.LIBKQUEUE);
        try (KqueuePoller poller = new KqueuePoller(m, KqueuePlatform.LIBKQUEUE, true)) {
            int fd = m.openFd();
            m.interruptNextCall();
            poller.open(fd, TestDescriptors.withId(1, fd));
            assertEquals(3, m.knotes(m.onlyQueue()).size(), "open retried after EINTR");
            m.interruptNextCall();
            assertEquals(0, poller.poll(TimeUnit.SECONDS.toNanos(5), true, (t, b) -> { }));
            m.interruptNextCall();
            poller.wakeup();
            assertEquals(1, m.triggers, "wakeup retried after EINTR");
            m.interruptNextCall();
            poller.poll(-1, true, (t, b) -> { });
            poller.wakeup();
            assertEquals(2, m.triggers, "the forever poll went on past EINTR and consumed the wakeup");
        }
    }

    @Test
    void registering_a_closed_descriptor_fails_with_its_errno() throws IOException {
        KqueueModel m = new KqueueModel(KqueuePlatform.DARWIN);
        try (KqueuePoller poller = new KqueuePoller(m, KqueuePlatform.DARWIN, false)) {
            SocketException e = assertThrows(SocketException.class, () -> poller.open(99, TestDescriptors.withId(1, 99)));
            assertTrue(e.getMessage().contains("errno 9"), e.getMessage());
        }
    }

    @Test
    void on_a_bsd_kernel_close_leaves_deregistration_to_the_kernel() throws IOException {
        KqueueModel m = new KqueueModel(KqueuePlatform.DARWIN);
        try (KqueuePoller poller = new KqueuePoller(m, KqueuePlatform.DARWIN, false)) {
            int fd = m.openFd();
            PollDesc old = TestDescriptors.withId(1, fd);
            poller.open(fd, old);
            int calls = m.keventCalls;
            poller.close(fd);
            assertEquals(calls, m.keventCalls, "no kevent call");
            m.arrive(fd, 1); // pending for the old registration, never collected
            m.closeFd(fd);
            assertEquals(fd, m.openFd(), "the number is reused");
            PollDesc next = TestDescriptors.withId(2, fd);
            poller.open(fd, next);
            for (long[] e : collect(poller, 0)) {
                assertEquals(next.token(), e[0], "only the new registration reports");
            }
            m.arrive(fd, 1);
            assertEquals(next.token() + ":" + Poller.READ, only(collect(poller, 0)));
        }
    }

    @Test
    void under_libkqueue_a_reused_fd_number_gets_events_only_because_close_deletes_both_filters() throws IOException {
        KqueueModel quirky = new KqueueModel(KqueuePlatform.LIBKQUEUE);
        quirky.libkqueueCloseQuirk = true;
        try (KqueuePoller withoutDelete = new KqueuePoller(quirky, KqueuePlatform.LIBKQUEUE, false)) {
            assertEquals(0, reuseAndCountReadEvents(quirky, withoutDelete), "the failure mode the delete prevents");
        }
        KqueueModel m = new KqueueModel(KqueuePlatform.LIBKQUEUE);
        m.libkqueueCloseQuirk = true;
        try (KqueuePoller poller = new KqueuePoller(m, KqueuePlatform.LIBKQUEUE, true)) {
            assertEquals(1, reuseAndCountReadEvents(m, poller));
            assertTrue(m.changeLog.containsAll(List.of("3/-1/0x2/0x0", "3/-2/0x2/0x0")), m.changeLog.toString());
        }
    }

    private static int reuseAndCountReadEvents(KqueueModel m, KqueuePoller poller) throws IOException {
        int fd = m.openFd();
        poller.open(fd, TestDescriptors.withId(1, fd));
        poller.close(fd);
        m.closeFd(fd);
        assertEquals(fd, m.openFd());
        PollDesc next = TestDescriptors.withId(2, fd);
        poller.open(fd, next);
        collect(poller, 0);
        m.arrive(fd, 1);
        int reads = 0;
        for (long[] e : collect(poller, 0)) {
            if (e[0] == next.token() && (e[1] & Poller.READ) != 0) {
                reads++;
            }
        }
        return reads;
    }

    @Test
    void close_deletes_the_write_filter_even_when_the_read_filter_is_already_gone() throws IOException {
        KqueuePlatform p = KqueuePlatform.LIBKQUEUE;
        KqueueModel m = new KqueueModel(p);
        m.libkqueueCloseQuirk = true;
        try (KqueuePoller poller = new KqueuePoller(m, p, true)) {
            int fd = m.openFd();
            poller.open(fd, TestDescriptors.withId(1, fd));
            int kq = m.onlyQueue();
            try (Memory del = new Memory(p.layout.size())) {
                p.layout.put(del, 0, fd, p.evfiltRead, p.evDelete, 0, 0, 0);
                assertEquals(0, m.kevent(kq, Pointer.nativeValue(del), 1, 0, 0, 0), "the read knote is deleted behind the backend");
            }
            int calls = m.keventCalls;
            int logged = m.changeLog.size();
            poller.close(fd);
            assertEquals(List.of("0/" + p.evfiltUser + "/0x1/0"), m.knotes(kq), "the write knote is gone too");
            assertEquals(List.of(fd + "/-1/0x2/0x0", fd + "/-2/0x2/0x0"), m.changeLog.subList(logged, m.changeLog.size()));
            assertEquals(calls + 2, m.keventCalls, "one kevent call per filter: the read delete's ENOENT ends only its own call");
        }
    }

    @Test
    void close_ignores_enoent_and_ebadf_and_reports_any_other_delete_error_without_throwing() throws IOException {
        KqueuePlatform p = KqueuePlatform.LIBKQUEUE;
        KqueueModel m = new KqueueModel(p);
        m.libkqueueCloseQuirk = true;
        try (LogCapture log = LogCapture.of(Netpoll.LOGGER); KqueuePoller poller = new KqueuePoller(m, p, true)) {
            int kq = m.onlyQueue();
            for (int errno : new int[] {KqueueModel.ENOENT, KqueueModel.EBADF}) {
                int fd = m.openFd();
                poller.open(fd, TestDescriptors.withId(1, fd));
                m.failChanges(p.evfiltRead, errno);
                poller.close(fd);
                m.failChanges(p.evfiltRead, 0);
                assertEquals(List.of(), log.records(), "errno " + errno + ": nothing left to delete");
                m.closeFd(fd);
            }
            int fd = m.openFd();
            poller.open(fd, TestDescriptors.withId(2, fd));
            int enomem = 12;
            m.failChanges(p.evfiltRead, enomem);
            poller.close(fd);
            m.failChanges(p.evfiltRead, 0);
            List<LogRecord> reported = log.records();
            assertEquals(1, reported.size(), "logged once: " + reported);
            assertEquals(Level.WARNING, reported.get(0).getLevel(), "as a warning");
            assertEquals("kevent(EV_DELETE) of fd " + fd + " filter -1 failed: errno 12", reported.get(0).getMessage());
            assertTrue(m.knotes(kq).stream().noneMatch(k -> k.startsWith(fd + "/-2/")), "the write filter still went: " + m.knotes(kq));
        }
    }

    @Test
    void over_a_library_that_loses_what_does_not_fit_a_full_list_reports_every_registered_descriptor() throws IOException {
        KqueuePlatform p = KqueuePlatform.LIBKQUEUE;
        KqueueModel m = new KqueueModel(p);
        try (KqueuePoller poller = new KqueuePoller(m, p, true, false, true)) {
            int count = KqueuePoller.MAX_EVENTS; // two knotes each: twice what one poll returns
            List<PollDesc> pds = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int fd = m.openFd();
                pds.add(TestDescriptors.withId(i + 1, fd));
                poller.open(fd, pds.get(i));
            }
            while (!collect(poller, 0).isEmpty()) {
                // the fresh sockets' write edges
            }
            m.arrive(pds.get(0).fd(), 1);
            assertEquals(pds.get(0).token() + ":" + Poller.READ, only(collect(poller, 0)), "a list with room costs nothing more");
            m.dropsWhatDoesNotFit = true;
            for (PollDesc pd : pds) {
                m.arrive(pd.fd(), 1);
                m.sendBufferFull(pd.fd(), true);
                m.sendBufferFull(pd.fd(), false);
            }
            Set<Long> read = new HashSet<>();
            Set<Long> written = new HashSet<>();
            for (long[] e : collect(poller, 0)) {
                if ((e[1] & Poller.READ) != 0) {
                    read.add(e[0]);
                }
                if ((e[1] & Poller.WRITE) != 0) {
                    written.add(e[0]);
                }
            }
            assertEquals(count, m.dropped, "the model lost half the edges, as libkqueue does");
            assertEquals(count, read.size(), "every descriptor reported readable, the lost edges' too");
            assertEquals(count, written.size(), "and writable");
            assertEquals(0, collect(poller, 0).size(), "the lost edges never come back by themselves");
        }
    }

    @Test
    void over_such_a_library_a_full_list_consumes_a_wakeup_whose_channel_edge_it_lost() throws Exception {
        KqueuePlatform p = KqueuePlatform.LIBKQUEUE;
        KqueueModel m = lockHoldingLibrary();
        m.dropsWhatDoesNotFit = true;
        try (KqueuePoller poller = new KqueuePoller(m, p, true, true, true)) {
            poller.wakeup();
            for (int i = 0; i < KqueuePoller.MAX_EVENTS; i++) {
                m.deliver(1000 + i, p.evfiltRead, 0x0000_0999_0000_0001L); // events enough to fill the list
            }
            assertEquals(KqueuePoller.MAX_EVENTS, collect(poller, TimeUnit.SECONDS.toNanos(5)).size());
            assertEquals(1, m.dropped, "the wake channel's edge did not fit");
            poller.wakeup();
            assertEquals(2, poller.wakeupWrites(), "the lost wakeup was consumed, so the next one writes again");
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> collect(poller, -1), "and ends a forever poll");
        }
    }

    /** libkqueue's kevent holds the queue's lock while it waits; the model does the same. */
    private static KqueueModel lockHoldingLibrary() {
        KqueueModel m = new KqueueModel(KqueuePlatform.LIBKQUEUE);
        m.waitHoldsLock = true;
        return m;
    }

    @Test
    void over_a_library_whose_wait_holds_the_lock_no_other_call_waits_for_a_forever_poll() throws Exception {
        KqueueModel m = lockHoldingLibrary();
        try (KqueuePoller poller = new KqueuePoller(m, KqueuePlatform.LIBKQUEUE, true, true)) {
            AtomicBoolean stop = new AtomicBoolean();
            Thread driver = new Thread(() -> {
                while (!stop.get()) {
                    poller.poll(-1, true, (token, bits) -> { });
                }
            });
            driver.setDaemon(true);
            driver.start();
            int fd = m.openFd();
            PollDesc pd = TestDescriptors.withId(1, fd);
            for (int i = 0; i < 50; i++) {
                Thread.sleep(2); // let the driver park in its forever wait again
                assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                    poller.open(fd, pd);
                    poller.poll(0, false, (token, bits) -> { });
                    poller.close(fd);
                }, "open, a non-blocking poll and close got past the forever poll");
            }
            stop.set(true);
            poller.wakeup();
            driver.join(TimeUnit.SECONDS.toMillis(5));
            assertFalse(driver.isAlive(), "the wakeup ended the forever poll");
            assertEquals(0, m.triggers, "woken through the channel, not a NOTE_TRIGGER (a kevent call)");
            assertEquals(1, poller.wakeupWrites());
        }
    }

    @Test
    void over_such_a_library_the_wakeup_is_a_coalesced_byte_on_the_channel_and_not_an_event() throws IOException {
        KqueueModel m = lockHoldingLibrary();
        try (KqueuePoller poller = new KqueuePoller(m, KqueuePlatform.LIBKQUEUE, true, true)) {
            List<String> knotes = m.knotes(m.onlyQueue());
            assertEquals(1, knotes.size(), "only the channel's read knote, no EVFILT_USER: " + knotes);
            assertTrue(knotes.get(0).contains("/" + KqueuePlatform.LIBKQUEUE.evfiltRead + "/0x21/"), knotes.toString());
            for (int i = 0; i < 1000; i++) {
                poller.wakeup();
            }
            assertEquals(1, poller.wakeupWrites());
            assertEquals(0, collect(poller, TimeUnit.SECONDS.toNanos(5)).size(), "the wake is not an fd event");
            poller.wakeup();
            poller.wakeup();
            assertEquals(2, poller.wakeupWrites(), "consumed, so the next wakeup writes again");
            assertEquals(0, collect(poller, 0).size());
            assertEquals(0, collect(poller, 0).size(), "drained: the wake does not repeat");
            assertEquals(0, m.triggers);
        }
    }
}
