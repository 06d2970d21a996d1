package io.netpoll.poller.fd;

import io.netpoll.poller.sys.Sys;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Blocking NetFD calls park virtual threads (LockSupport), not their carriers. Runs in the
 * surefire execution on JDK 25 (profile {@code virtual-threads}); on JDK 17 it is skipped with the
 * reason printed. Compiled for Java 17, so virtual threads are started reflectively.
 */
class VirtualThreadTest {
    private static Method ofVirtual;

    @BeforeAll
    static void requireVirtualThreads() {
        try {
            ofVirtual = Thread.class.getMethod("ofVirtual");
        } catch (NoSuchMethodException e) {
            String reason = "virtual threads need JDK 21+, this is " + Runtime.version()
                    + " (the virtual-threads profile runs this class on JDK 25)";
            System.out.println("SKIP VirtualThreadTest: " + reason);
            Assumptions.abort(reason);
        }
    }

    private static Thread startVirtual(Runnable r) throws Exception {
        Object builder = ofVirtual.invoke(null);
        Method start = Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class);
        return (Thread) start.invoke(builder, r);
    }

    private static boolean isVirtual(Thread t) throws Exception {
        return (Boolean) Thread.class.getMethod("isVirtual").invoke(t);
    }

    @Test
    void two_thousand_virtual_threads_block_in_reads_and_writes_and_all_complete() throws Exception {
        int pairs = 1000;
        int rounds = 20;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger virtualSeen = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        List<NetFD[]> all = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < pairs; i++) {
            NetFD[] sp = NetFD.socketPair(Sys.SOCK_STREAM);
            all.add(sp);
            threads.add(startVirtual(() -> {
                ByteBuffer buf = ByteBuffer.allocate(4);
                try {
                    if (isVirtual(Thread.currentThread())) {
                        virtualSeen.incrementAndGet();
                    }
                    for (int r = 0; r < rounds; r++) {
                        buf.clear();
                        while (buf.hasRemaining()) {
                            sp[1].read(buf);
                        }
                        buf.flip();
                        sp[1].write(buf);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
            threads.add(startVirtual(() -> {
                ByteBuffer out = ByteBuffer.allocate(4);
                ByteBuffer in = ByteBuffer.allocate(4);
                try {
                    for (int r = 0; r < rounds; r++) {
                        out.clear();
                        out.putInt(r).flip();
                        sp[0].write(out);
                        in.clear();
                        while (in.hasRemaining()) {
                            sp[0].read(in);
                        }
                        assertEquals(r, in.getInt(0));
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(60));
            assertTrue(!t.isAlive(), "a virtual thread is stuck");
        }
        for (NetFD[] sp : all) {
            sp[0].close();
            sp[1].close();
        }
        System.out.printf("virtual threads: %d threads, %d round trips, %d ms on %s%n", threads.size(),
                pairs * rounds, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), Runtime.version());
        assertNull(failure.get(), () -> "failure: " + failure.get());
        assertEquals(pairs, virtualSeen.get());
    }
}
