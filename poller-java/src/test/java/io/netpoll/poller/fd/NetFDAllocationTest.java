package io.netpoll.poller.fd;

import io.netpoll.poller.sys.Sys;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NetFD's read and write paths over the real kernel (a socketpair on epoll) allocate nothing per
 * call once their buffers have been seen: scalar reads and writes, the gathering write and
 * scattering read over reused direct buffers, and the readiness probe (awaitReadable with data
 * queued). Measured with the thread's allocation counter; one 16-byte object per call (the
 * smallest allocation there is) breaks the bound.
 */
class NetFDAllocationTest {
    private static final int CALLS = 20_000;

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    void scalar_and_vectored_io_allocate_nothing_per_call() throws Exception {
        NetFD[] sp = NetFD.socketPair(Sys.SOCK_STREAM);
        try (NetFD a = sp[0]; NetFD b = sp[1]) {
            ByteBuffer out = ByteBuffer.allocateDirect(64);
            ByteBuffer in = ByteBuffer.allocateDirect(64);
            ByteBuffer[] outv = {ByteBuffer.allocateDirect(16), ByteBuffer.allocateDirect(48)};
            ByteBuffer[] inv = {ByteBuffer.allocateDirect(32), ByteBuffer.allocateDirect(32)};
            for (int i = 0; i < CALLS; i++) {
                roundTrip(a, b, out, in, outv, inv);
            }
            long before = allocatedBytes();
            long moved = 0;
            for (int i = 0; i < CALLS; i++) {
                moved += roundTrip(a, b, out, in, outv, inv);
            }
            long allocated = allocatedBytes() - before;
            System.out.printf("NetFD: %d x (write+read, writev+readv) of 64 B, %d bytes allocated%n", CALLS, allocated);
            assertEquals(4L * 64 * CALLS, moved);
            assertTrue(allocated < 16L * CALLS, "allocates per call: " + allocated + " bytes for " + CALLS + " rounds");
        }
    }

    @Test
    void a_readiness_probe_allocates_nothing_per_call() throws Exception {
        NetFD[] sp = NetFD.socketPair(Sys.SOCK_STREAM);
        try (NetFD a = sp[0]; NetFD b = sp[1]) {
            a.write(ByteBuffer.allocateDirect(1));
            for (int i = 0; i < CALLS; i++) {
                b.awaitReadable();
            }
            long before = allocatedBytes();
            for (int i = 0; i < CALLS; i++) {
                b.awaitReadable();
            }
            long allocated = allocatedBytes() - before;
            System.out.printf("NetFD: %d x awaitReadable with data queued, %d bytes allocated%n", CALLS, allocated);
            assertTrue(allocated < 16L * CALLS, "allocates per call: " + allocated + " bytes for " + CALLS + " probes");
        }
    }

    private static long roundTrip(NetFD a, NetFD b, ByteBuffer out, ByteBuffer in,
                                  ByteBuffer[] outv, ByteBuffer[] inv) throws Exception {
        long moved = a.write(out.clear());
        in.clear();
        while (in.hasRemaining()) {
            moved += b.read(in);
        }
        outv[0].clear();
        outv[1].clear();
        moved += a.write(outv);
        inv[0].clear();
        inv[1].clear();
        long got = 0;
        while (got < 64) {
            got += b.read(inv);
        }
        return moved + got;
    }
}
