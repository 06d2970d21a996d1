package io.netpoll.net;

import io.netpoll.DeadlineExceededException;
import io.netpoll.poller.Netpoll;
import io.netpoll.poller.fd.NetFD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The facade's futures built on NetFD's (Listener.acceptAsync, Net.dialAsync) withdraw the NetFD
 * operation when they are cancelled, as NetFD's own futures do: no connection is taken by an
 * accept nobody waits for, no socket is left open by a dial nobody waits for.
 */
@Timeout(60)
class FacadeCancellationTest {
    private static int openDescriptors() {
        return new File("/proc/self/fd").list().length;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("not within 5 s: " + what);
            }
            Thread.sleep(1);
        }
    }

    private static int parked() {
        return Netpoll.get().stats().waiters();
    }

    @Test
    void a_cancelled_accept_leaves_the_connection_for_the_next_accept() throws Exception {
        try (Listener ln = Net.listen("tcp", "127.0.0.1:0")) {
            int fds = openDescriptors();
            int before = parked();
            CompletableFuture<Conn> accept = ln.acceptAsync();
            await(() -> parked() == before + 1, "the accept parks");
            assertTrue(accept.cancel(true));
            await(() -> parked() == before, "the accept left its slot");
            int port = ((InetSocketAddress) ln.getLocalAddress()).getPort();
            try (Conn c = Net.dialBlocking("tcp", "127.0.0.1:" + port); Conn s = ln.acceptAsync().get(5, TimeUnit.SECONDS)) {
                assertEquals(c.getLocalAddress(), s.getRemoteAddress(), "the next accept got the connection");
            }
            // A PollDesc is freed when the last operation on it leaves, which may be just after close.
            await(() -> openDescriptors() <= fds, "no descriptor left behind (<=: another test's may close meanwhile; a leak adds)");
        }
    }

    @Test
    void a_cancelled_dial_closes_its_socket() throws Exception {
        try (NetFD ln = NetFD.listen(new InetSocketAddress("127.0.0.1", 0), 0, false)) {
            // A full accept queue: Linux leaves further SYNs unanswered, so a dial waits.
            List<NetFD> fill = new ArrayList<>();
            try {
                for (int i = 0; i < 64; i++) {
                    try {
                        fill.add(NetFD.dial(ln.localAddress(), TimeUnit.MILLISECONDS.toNanos(200)));
                    } catch (DeadlineExceededException full) {
                        break;
                    }
                }
                int fds = openDescriptors();
                int before = parked();
                int port = ((InetSocketAddress) ln.localAddress()).getPort();
                CompletableFuture<Conn> dial = Net.dialAsync("tcp", "127.0.0.1:" + port);
                await(() -> parked() == before + 1, "the dial waits for the handshake");
                assertTrue(dial.cancel(true));
                await(() -> openDescriptors() <= fds, "the dial's socket is closed (<=: another test's may close meanwhile)");
                assertEquals(before, parked());
            } finally {
                fill.forEach(NetFD::close);
            }
        }
    }
}
