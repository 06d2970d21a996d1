package io.netpoll.poller.fd;

import io.netpoll.poller.Netpoll;
import io.netpoll.poller.NetpollStats;
import io.netpoll.poller.sys.Sys;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Netpoll's stats count open NetFDs (until close) apart from registered PollDescs (until destroy). */
class NetpollStatsTest {
    @Test
    void a_netfd_counts_as_open_until_closed_and_its_polldesc_until_its_last_operation_leaves() throws Exception {
        NetpollStats before = Netpoll.get().stats();
        NetFD[] p = NetFD.socketPair(Sys.SOCK_STREAM);
        NetpollStats open = Netpoll.get().stats();
        assertEquals(before.netFDs() + 2, open.netFDs());
        assertEquals(before.descriptors() + 2, open.descriptors());

        // An operation in flight keeps the descriptor (and its PollDesc) after close.
        p[0].incref();
        p[0].close();
        p[1].close();
        NetpollStats closing = Netpoll.get().stats();
        assertEquals(before.netFDs(), closing.netFDs(), "closed NetFDs are not open");
        assertEquals(before.descriptors() + 1, closing.descriptors(), "the PollDesc stays while an operation is in flight");
        p[0].decref();
        assertEquals(before.descriptors(), Netpoll.get().stats().descriptors());

        p[0].close();
        assertEquals(before.netFDs(), Netpoll.get().stats().netFDs(), "a second close counts nothing");
    }

    @Test
    void a_failed_dial_leaves_nothing_counted() throws Exception {
        NetpollStats before = Netpoll.get().stats();
        try (NetFD ln = NetFD.listen(NetFDTest.LOOPBACK_ANY_PORT, 1, false)) {
            java.net.SocketAddress gone = ln.localAddress();
            ln.close();
            CompletableFuture<NetFD> dial = NetFD.dialAsync(gone, TimeUnit.SECONDS.toNanos(5), NetFD.defaultExecutor());
            assertThrows(java.util.concurrent.ExecutionException.class, () -> dial.get(10, TimeUnit.SECONDS));
        }
        assertEquals(before.netFDs(), Netpoll.get().stats().netFDs());
        assertEquals(before.descriptors(), Netpoll.get().stats().descriptors());
    }
}
