package io.netpoll.docs;

import io.netpoll.poller.fd.NetFD;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** docs/architecture.md's NetFD example, as a method the docs test runs. */
final class NetFDTour {
    private NetFDTour() {}

    static void run() throws Exception {
        NetFD ln = NetFD.listen(new InetSocketAddress("127.0.0.1", 0), 128, false); // SO_REUSEADDR on
        NetFD c  = NetFD.dial(ln.localAddress(), TimeUnit.SECONDS.toNanos(2));     // TCP_NODELAY on
        NetFD s  = ln.accept();
        c.write(ByteBuffer.wrap("hi".getBytes()));                // writes everything, parks on EAGAIN
        ByteBuffer buf = ByteBuffer.allocateDirect(64);
        s.setReadDeadline(System.nanoTime() + 1_000_000_000L);    // absolute; in the past → fails at once
        int n = s.read(buf);                                      // 2 (-1 at end of stream)
        CompletableFuture<Integer> next = s.readAsync(buf, NetFD.defaultExecutor()); // completes there, never on the poller
        c.write(ByteBuffer.wrap("!".getBytes()));
        System.out.println(n + " then " + next.get());            // 2 then 1
        for (NetFD fd : new NetFD[] {c, s, ln}) {
            fd.close();                                           // idempotent
        }
    }
}
