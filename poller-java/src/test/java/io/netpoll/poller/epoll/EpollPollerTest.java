package io.netpoll.poller.epoll;

import io.netpoll.poller.PollDesc;
import io.netpoll.poller.Poller;
import io.netpoll.poller.RealPollerContract;
import io.netpoll.poller.TestDescriptors;
import io.netpoll.poller.TestSockets;
import io.netpoll.poller.sys.LibC;
import io.netpoll.poller.sys.Sys;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The epoll backend against real epoll, eventfd and socketpairs, without Netpoll on top. */
class EpollPollerTest extends RealPollerContract {
    @Override
    protected Poller open() throws IOException {
        return new EpollPoller();
    }

    private static List<long[]> collect(EpollPoller p, long timeoutNanos) {
        List<long[]> out = new ArrayList<>();
        p.poll(timeoutNanos, true, (token, bits) -> out.add(new long[] {token, bits}));
        return out;
    }

    @Test
    void timeouts_round_up_to_milliseconds_and_keep_their_meaning() {
        assertEquals(-1, EpollPoller.toMillis(-1));
        assertEquals(0, EpollPoller.toMillis(0));
        assertEquals(1, EpollPoller.toMillis(1));
        assertEquals(1, EpollPoller.toMillis(1_000_000));
        assertEquals(2, EpollPoller.toMillis(1_000_001));
        assertEquals(Integer.MAX_VALUE, EpollPoller.toMillis(Long.MAX_VALUE));
    }

    @Test
    void edge_triggered_readiness_is_reported_once_per_edge() throws Exception {
        try (EpollPoller p = new EpollPoller()) {
            int[] sp = TestSockets.socketpair();
            PollDesc pd = TestDescriptors.withId(42, sp[0]);
            p.open(sp[0], pd);
            collect(p, 0); // initial write-ready edge
            TestSockets.writeByte(sp[1], 1);
            List<long[]> ev = collect(p, TimeUnit.SECONDS.toNanos(1));
            assertEquals(1, ev.size());
            assertEquals(pd.token(), ev.get(0)[0]);
            assertTrue((ev.get(0)[1] & EpollPoller.READ) != 0);
            assertEquals(0, ev.get(0)[1] & EpollPoller.HANGUP, "data alone is no hang-up");
            assertEquals(0, collect(p, 0).size(), "edge-triggered: no repeat without a new edge");
            TestSockets.writeByte(sp[1], 2);
            assertEquals(1, collect(p, TimeUnit.SECONDS.toNanos(1)).size(), "a new edge is reported");
            LibC.close(sp[1]);
            List<long[]> hup = collect(p, TimeUnit.SECONDS.toNanos(1));
            assertEquals(1, hup.size());
            assertTrue((hup.get(0)[1] & EpollPoller.READ) != 0, "peer close reads as readable (RDHUP)");
            assertTrue((hup.get(0)[1] & EpollPoller.HANGUP) != 0, "and is marked as a hang-up: no later read edge");
            p.close(sp[0]);
            LibC.close(sp[0]);
        }
    }

    @Test
    void epoll_event_masks_map_to_readiness_as_in_go() {
        assertEquals(Poller.ERROR, EpollPoller.readiness(Sys.EPOLLERR), "EPOLLERR alone is an error and nothing else");
        assertEquals(Poller.READ, EpollPoller.readiness(Sys.EPOLLIN));
        assertEquals(Poller.WRITE, EpollPoller.readiness(Sys.EPOLLOUT));
        assertEquals(Poller.READ | Poller.HANGUP, EpollPoller.readiness(Sys.EPOLLRDHUP), "the peer's FIN");
        assertEquals(Poller.READ | Poller.HANGUP | Poller.WRITE, EpollPoller.readiness(Sys.EPOLLIN | Sys.EPOLLRDHUP | Sys.EPOLLOUT));
        assertEquals(Poller.READ | Poller.HANGUP | Poller.WRITE, EpollPoller.readiness(Sys.EPOLLHUP), "a hang-up wakes both directions");
        assertEquals(Poller.READ | Poller.HANGUP | Poller.WRITE, EpollPoller.readiness(Sys.EPOLLERR | Sys.EPOLLIN),
                "an error with data is both directions, not a bare error");
        assertEquals(0, EpollPoller.readiness(0));
    }
}
