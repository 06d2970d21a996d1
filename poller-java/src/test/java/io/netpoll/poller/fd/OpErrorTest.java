package io.netpoll.poller.fd;

import io.netpoll.DeadlineExceededException;
import io.netpoll.poller.sys.Sys;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Errors named after their operation and addresses ({@link OpError}), on real sockets. */
class OpErrorTest {
    @Test
    void addresses_are_written_as_go_writes_them() throws Exception {
        assertEquals("127.0.0.1:80", OpError.format(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 80)));
        assertEquals("[::1]:80", OpError.format(new InetSocketAddress(InetAddress.getByName("::1"), 80)));
        assertEquals("[fe80::1:0:2]:443", OpError.format(new InetSocketAddress(InetAddress.getByName("fe80:0:0:0:0:1:0:2"), 443)));
        assertEquals("[2001:db8:0:1::]:1", OpError.format(new InetSocketAddress(InetAddress.getByName("2001:db8:0:1:0:0:0:0"), 1)));
        assertEquals("example.com:8080", OpError.format(InetSocketAddress.createUnresolved("example.com", 8080)));
        assertEquals("/tmp/s.sock", OpError.format(UnixDomainSocketAddress.of("/tmp/s.sock")));
        assertEquals("tcp", OpError.network(Sys.AF_INET6, Sys.SOCK_STREAM));
        assertEquals("udp", OpError.network(Sys.AF_INET, Sys.SOCK_DGRAM));
        assertEquals("unixgram", OpError.network(Sys.AF_UNIX, Sys.SOCK_DGRAM));
    }

    @Test
    void a_refused_dial_names_the_address_in_the_blocking_and_future_forms() throws Exception {
        InetSocketAddress free;
        try (NetFD ln = NetFD.listen(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 1, false)) {
            free = (InetSocketAddress) ln.localAddress();
        }
        String prefix = "dial tcp 127.0.0.1:" + free.getPort() + ": ";
        ConnectException e = assertThrows(ConnectException.class, () -> NetFD.dial(free, TimeUnit.SECONDS.toNanos(5)));
        assertEquals(ConnectException.class, e.getClass());
        assertTrue(e.getMessage().startsWith(prefix) && e.getMessage().contains("(connect, "), e.getMessage());
        assertInstanceOf(ConnectException.class, e.getCause(), "the system call's exception is the cause");
        ExecutionException f = assertThrows(ExecutionException.class,
                () -> NetFD.dialAsync(free, 0, ForkJoinPool.commonPool()).get(5, TimeUnit.SECONDS));
        assertEquals(ConnectException.class, f.getCause().getClass());
        assertEquals(e.getMessage(), f.getCause().getMessage());
    }

    @Test
    void a_deadline_and_a_closed_descriptor_name_the_operation() throws Exception {
        NetFD[] p = NetFD.socketPair(Sys.SOCK_STREAM);
        try {
            p[0].setReadDeadline(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20));
            DeadlineExceededException timeout = assertThrows(DeadlineExceededException.class, () -> p[0].read(ByteBuffer.allocate(1)));
            assertEquals(DeadlineExceededException.class, timeout.getClass());
            assertTrue(timeout.getMessage().startsWith("read unix") && timeout.getMessage().endsWith(": i/o timeout"), timeout.getMessage());
            p[0].close();
            ClosedChannelException closed = assertThrows(ClosedChannelException.class, () -> p[0].write(ByteBuffer.allocate(1)));
            assertTrue(closed.getMessage().startsWith("write unix") && closed.getMessage().endsWith(": use of closed network connection"),
                    closed.getMessage());
        } finally {
            p[0].close();
            p[1].close();
        }
    }
}
