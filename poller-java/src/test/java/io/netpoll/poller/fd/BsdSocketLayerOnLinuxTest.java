package io.netpoll.poller.fd;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.poller.sys.LibC;
import io.netpoll.poller.sys.SockAddrFormat;
import io.netpoll.poller.sys.NativeLayer;
import io.netpoll.poller.sys.Sys;
import io.netpoll.poller.sys.bsd.BsdLibC;
import io.netpoll.poller.sys.bsd.BsdSys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NetFD over the BSD socket layer, on this Linux kernel. The table has macOS's shape (no accept4,
 * no SOCK_NONBLOCK/SOCK_CLOEXEC, no MSG_NOSIGNAL) with Linux's numbers, and SO_KEEPALIVE stands in
 * for SO_NOSIGPIPE so "set on every socket" is observable; so socketpair and pipe go through
 * plain creation + fcntl, sends carry no flag, and errors come back through BsdErrno. The option
 * numbers in the table are the BSDs' own, so paths that set options (listen, dial) cannot run here.
 * Each test is bounded: a descriptor left blocking would otherwise hang a read.
 */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BsdSocketLayerOnLinuxTest {
    private static final int SO_KEEPALIVE_LINUX = 9;
    private static final int F_GETFD = 1;
    private static final int F_GETFL = 3;
    private static final BsdSys DARWIN_SHAPED = new BsdSys("darwin-on-linux", SockAddrFormat.LINUX, false, 0, 0, 0,
            SO_KEEPALIVE_LINUX, 71, Sys.O_NONBLOCK, Sys.SOL_SOCKET);
    private static final SocketLayer LAYER = new BsdSocketLayer(NativeLayer.posix(), BsdLibC.INSTANCE, DARWIN_SHAPED);

    @Test
    void socketpair_ends_are_nonblocking_cloexec_and_carry_the_nosigpipe_option() throws Exception {
        NetFD[] p = SocketFactory.socketPair(LAYER, Sys.SOCK_STREAM);
        try {
            for (NetFD fd : p) {
                assertDescriptorFlags(fd.fd());
                assertEquals(1, intOption(fd.fd(), SO_KEEPALIVE_LINUX), "SO_NOSIGPIPE stand-in on " + fd);
            }
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void reads_say_eagain_then_data_then_end_of_stream() throws Exception {
        NetFD[] p = SocketFactory.socketPair(LAYER, Sys.SOCK_STREAM);
        try {
            assertDescriptorFlags(p[0].fd());
            ByteBuffer buf = ByteBuffer.allocateDirect(16);
            assertEquals(NetFD.EAGAIN, p[0].tryRead(buf), "EAGAIN came back through BsdErrno as Linux's EAGAIN");
            Thread writer = new Thread(() -> {
                try {
                    Thread.sleep(50);
                    p[1].write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8)));
                    p[1].close();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            writer.start();
            assertEquals(4, p[0].read(buf), "a blocking read waits on the poller, then reads");
            assertEquals("ping", StandardCharsets.UTF_8.decode(buf.flip()).toString());
            writer.join();
            assertEquals(NetFD.EOF, p[0].read(ByteBuffer.allocate(4)));
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void pipe_ends_are_nonblocking_and_cloexec_and_carry_bytes() throws Exception {
        NetFD[] p = SocketFactory.pipe(LAYER);
        try {
            assertDescriptorFlags(p[0].fd());
            assertDescriptorFlags(p[1].fd());
            assertEquals(NetFD.EAGAIN, p[0].tryRead(ByteBuffer.allocate(1)));
            assertEquals(3, p[1].write(ByteBuffer.wrap(new byte[] {1, 2, 3})));
            ByteBuffer in = ByteBuffer.allocate(3);
            assertEquals(3, p[0].read(in));
            assertEquals(3, in.get(2));
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void gathering_writes_and_scattering_reads_use_sendmsg_and_readv() throws Exception {
        NetFD[] p = SocketFactory.socketPair(LAYER, Sys.SOCK_STREAM);
        try {
            ByteBuffer a = ByteBuffer.allocateDirect(2).put(new byte[] {1, 2}).flip();
            ByteBuffer b = ByteBuffer.allocateDirect(3).put(new byte[] {3, 4, 5}).flip();
            assertEquals(5, p[1].write(new ByteBuffer[] {a, b}));
            ByteBuffer x = ByteBuffer.allocateDirect(4);
            ByteBuffer y = ByteBuffer.allocateDirect(4);
            assertEquals(5, p[0].read(new ByteBuffer[] {x, y}));
            assertEquals(4, x.position());
            assertEquals(1, y.position());
            assertEquals(5, y.get(0));
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void a_write_to_a_closed_peer_fails_with_the_os_text_not_a_signal() throws Exception {
        NetFD[] p = SocketFactory.socketPair(LAYER, Sys.SOCK_STREAM);
        p[1].close();
        try {
            SocketException e = assertThrows(SocketException.class, () -> p[0].write(ByteBuffer.wrap(new byte[] {1})));
            assertEquals(SocketException.class, e.getClass());
            assertTrue(e.getMessage().endsWith(": Broken pipe (write, errno 32)"), e.getMessage());
        } finally {
            p[0].close();
        }
    }

    private static void assertDescriptorFlags(int fd) {
        assertTrue((BsdLibC.INSTANCE.fcntl(fd, F_GETFL, 0) & Sys.O_NONBLOCK) != 0, "O_NONBLOCK on " + fd);
        assertEquals(1, BsdLibC.INSTANCE.fcntl(fd, F_GETFD, 0) & 1, "FD_CLOEXEC on " + fd);
    }

    private static int intOption(int fd, int name) {
        try (Memory v = new Memory(8)) {
            v.setInt(4, 4);
            long addr = Pointer.nativeValue(v);
            assertEquals(0, LibC.getsockopt(fd, Sys.SOL_SOCKET, name, addr, addr + 4));
            return v.getInt(0);
        }
    }
}
