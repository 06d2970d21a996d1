package io.netpoll.poller.sys.bsd;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.poller.sys.Errno;
import io.netpoll.poller.sys.LibC;
import io.netpoll.poller.sys.SockAddrFormat;
import io.netpoll.poller.sys.Sys;
import org.junit.jupiter.api.Test;

import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The BSD socket layer: its tables and errno translation by value, and its call sequences on the
 * real Linux kernel. For the latter the tables are rebuilt with Linux's numbers (O_NONBLOCK 0x800,
 * SOL_SOCKET 1) and SO_KEEPALIVE stands in for SO_NOSIGPIPE, which Linux lacks, so that "the
 * option is set on every socket" is observable with getsockopt.
 */
class BsdSocketLayerTest {
    private static final int SO_KEEPALIVE_LINUX = 9;
    /** macOS's shape (no accept4, no SOCK_* flags, no MSG_NOSIGNAL) with Linux's numbers. */
    private static final BsdSys DARWIN_SHAPED = new BsdSys("darwin-on-linux", SockAddrFormat.LINUX, false, 0, 0, 0,
            SO_KEEPALIVE_LINUX, 71, Sys.O_NONBLOCK, Sys.SOL_SOCKET);
    /** FreeBSD's shape (accept4 and the SOCK_* flags) with Linux's numbers. */
    private static final BsdSys FREEBSD_SHAPED = new BsdSys("freebsd-on-linux", SockAddrFormat.LINUX, true, Sys.SOCK_NONBLOCK,
            Sys.SOCK_CLOEXEC, Sys.MSG_NOSIGNAL, 0, 71, Sys.O_NONBLOCK, Sys.SOL_SOCKET);
    private static final int F_GETFD = 1;
    private static final int F_GETFL = 3;

    @Test
    void the_tables_hold_the_bsd_values() {
        BsdSys mac = BsdSys.DARWIN;
        BsdSys fbsd = BsdSys.FREEBSD;
        assertEquals(30, mac.afInet6);
        assertEquals(28, fbsd.afInet6);
        assertEquals(false, mac.hasAccept4);
        assertEquals(true, fbsd.hasAccept4);
        assertEquals(0x1022, mac.soNosigpipe);
        assertEquals(0, mac.sendFlags(), "no MSG_NOSIGNAL on macOS: SO_NOSIGPIPE instead");
        assertEquals(0x20000, fbsd.sendFlags());
        assertEquals(0x20000000, fbsd.sockNonblock);
        assertEquals(0x10000000, fbsd.sockCloexec);
        for (BsdSys s : new BsdSys[] {mac, fbsd}) {
            assertEquals(0x4, s.oNonblock);
            assertEquals(0xffff, s.solSocket);
            assertEquals(0x1007, s.soError);
            assertEquals(0x4, s.soReuseaddr);
            assertEquals(0x200, s.soReuseport);
            assertEquals(27, s.ipv6V6only);
            assertEquals(35, s.eagain);
            assertEquals(36, s.einprogress);
            assertEquals(61, s.econnrefused);
            assertEquals(54, s.econnreset);
            assertEquals(48, s.eaddrinuse);
        }
        assertEquals(100, mac.eproto);
        assertEquals(92, fbsd.eproto);
        assertSame(mac, BsdSys.forOs("Mac OS X"));
        assertSame(fbsd, BsdSys.forOs("FreeBSD"));
        assertNull(BsdSys.forOs("Linux"));
    }

    @Test
    void bsd_errno_numbers_mean_what_the_linux_ones_mean() {
        BsdSys s = BsdSys.DARWIN;
        assertEquals(Errno.EAGAIN, BsdErrno.toLinux(s, 35));
        assertEquals(Errno.EINPROGRESS, BsdErrno.toLinux(s, 36));
        assertEquals(Errno.EALREADY, BsdErrno.toLinux(s, 37));
        assertEquals(Errno.ECONNREFUSED, BsdErrno.toLinux(s, 61));
        assertEquals(Errno.ECONNRESET, BsdErrno.toLinux(s, 54));
        assertEquals(Errno.ETIMEDOUT, BsdErrno.toLinux(s, 60));
        assertEquals(Errno.EHOSTUNREACH, BsdErrno.toLinux(s, 65));
        assertEquals(Errno.EPROTO, BsdErrno.toLinux(s, 100));
        assertEquals(Errno.EPROTO, BsdErrno.toLinux(BsdSys.FREEBSD, 92));
        assertEquals(Errno.EINTR, BsdErrno.toLinux(s, 4));
        assertEquals(Errno.EPIPE, BsdErrno.toLinux(s, 32));
        assertEquals(Errno.EMFILE, BsdErrno.toLinux(s, 24));
    }

    @Test
    void bsd_errors_become_the_same_exceptions_as_on_linux() {
        BsdSys s = BsdSys.DARWIN;
        assertInstanceOf(ConnectException.class, BsdErrno.exception(s, "connect", 61, "Connection refused"));
        assertInstanceOf(ConnectException.class, BsdErrno.exception(s, "connect", 60, "Operation timed out"));
        assertEquals(SocketException.class, BsdErrno.exception(s, "read", 60, "Operation timed out").getClass());
        assertInstanceOf(BindException.class, BsdErrno.exception(s, "bind", 48, "Address already in use"));
        assertInstanceOf(NoRouteToHostException.class, BsdErrno.exception(s, "connect", 65, "No route to host"));
        SocketException reset = (SocketException) BsdErrno.exception(s, "read", 54, "Connection reset by peer");
        assertEquals(SocketException.class, reset.getClass());
        assertEquals("Connection reset by peer (read, errno 54)", reset.getMessage());
    }

    @Test
    void without_accept4_accept_then_fcntl_yields_a_nonblocking_cloexec_socket() throws Exception {
        runAcceptSequence(DARWIN_SHAPED, true);
    }

    @Test
    void with_accept4_the_flags_are_set_in_one_call() throws Exception {
        runAcceptSequence(FREEBSD_SHAPED, false);
    }

    private static void runAcceptSequence(BsdSys sys, boolean expectOption) throws Exception {
        BsdSockets s = new BsdSockets(BsdLibC.INSTANCE, sys);
        int listener = s.socket(Sys.AF_INET, Sys.SOCK_STREAM);
        assertTrue(listener >= 0, "socket: " + listener);
        int client = -1;
        int accepted = -1;
        try (Memory m = new Memory(SockAddrFormat.STORAGE_SIZE + 4)) {
            assertFlags(listener, expectOption);
            long addr = Pointer.nativeValue(m);
            int len = sys.sockaddr.encode(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Sys.AF_INET, m);
            assertEquals(0, LibC.bind(listener, addr, len));
            assertEquals(0, LibC.listen(listener, 4));
            m.setInt(SockAddrFormat.STORAGE_SIZE, SockAddrFormat.STORAGE_SIZE);
            assertEquals(-Errno.EAGAIN, s.accept(listener, addr, addr + SockAddrFormat.STORAGE_SIZE),
                    "nothing pending: -EAGAIN, as the listener is non-blocking");
            m.setInt(SockAddrFormat.STORAGE_SIZE, SockAddrFormat.STORAGE_SIZE);
            assertEquals(0, LibC.getsockname(listener, addr, addr + SockAddrFormat.STORAGE_SIZE));
            client = LibC.socket(Sys.AF_INET, Sys.SOCK_STREAM | Sys.SOCK_CLOEXEC, 0);
            assertEquals(0, LibC.connect(client, addr, m.getInt(SockAddrFormat.STORAGE_SIZE)));
            m.setInt(SockAddrFormat.STORAGE_SIZE, SockAddrFormat.STORAGE_SIZE);
            accepted = s.accept(listener, addr, addr + SockAddrFormat.STORAGE_SIZE);
            assertTrue(accepted >= 0, "accept: " + accepted);
            assertFlags(accepted, expectOption);
            InetSocketAddress peer = (InetSocketAddress) sys.sockaddr.decode(m, m.getInt(SockAddrFormat.STORAGE_SIZE));
            assertEquals(InetAddress.getLoopbackAddress(), peer.getAddress());
        } finally {
            LibC.close(accepted);
            LibC.close(client);
            LibC.close(listener);
        }
    }

    private static void assertFlags(int fd, boolean expectOption) {
        assertTrue((BsdLibC.INSTANCE.fcntl(fd, F_GETFL, 0) & Sys.O_NONBLOCK) != 0, "O_NONBLOCK");
        assertEquals(1, BsdLibC.INSTANCE.fcntl(fd, F_GETFD, 0) & 1, "FD_CLOEXEC");
        try (Memory v = new Memory(8)) {
            v.setInt(0, 0);
            v.setInt(4, 4);
            assertEquals(0, LibC.getsockopt(fd, Sys.SOL_SOCKET, SO_KEEPALIVE_LINUX, Pointer.nativeValue(v), Pointer.nativeValue(v) + 4));
            assertEquals(expectOption ? 1 : 0, v.getInt(0), "the SO_NOSIGPIPE stand-in is set exactly where MSG_NOSIGNAL is missing");
        }
    }
}
