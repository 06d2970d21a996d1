package io.netpoll.poller.fd;

import io.netpoll.poller.sys.Errno;
import io.netpoll.poller.sys.SockAddrFormat;
import io.netpoll.poller.sys.Sys;
import io.netpoll.poller.sys.bsd.BsdErrno;
import io.netpoll.poller.sys.bsd.BsdSys;
import io.netpoll.poller.sys.windows.WsaError;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which socket layer each OS gets, what each translates, and that NetFD uses the chosen one. */
class SocketLayerSelectionTest {
    @Test
    void each_os_name_gets_its_layer() {
        assertInstanceOf(LinuxSocketLayer.class, SocketLayer.forOs("Linux"));
        SocketLayer mac = SocketLayer.forOs("Mac OS X");
        assertInstanceOf(BsdSocketLayer.class, mac);
        assertEquals("darwin", mac.name());
        assertSame(SockAddrFormat.DARWIN, mac.sockaddr());
        assertEquals(30, mac.nativeFamily(Sys.AF_INET6));
        SocketLayer fbsd = SocketLayer.forOs("FreeBSD");
        assertEquals("freebsd", fbsd.name());
        assertSame(SockAddrFormat.FREEBSD, fbsd.sockaddr());
        assertEquals(28, fbsd.nativeFamily(Sys.AF_INET6));
        SocketLayer win = SocketLayer.forOs("Windows 11");
        assertInstanceOf(WinsockSocketLayer.class, win);
        assertSame(SockAddrFormat.WINDOWS, win.sockaddr());
    }

    @Test
    void an_unsupported_os_fails_naming_the_supported_ones() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SocketLayer.forOs("SunOS"));
        assertTrue(e.getMessage().contains("'SunOS'"), e.getMessage());
        for (String os : new String[] {"Linux", "macOS", "FreeBSD", "Windows"}) {
            assertTrue(e.getMessage().contains(os), e.getMessage());
        }
    }

    @Test
    void this_machine_runs_the_linux_layer_and_every_netfd_uses_it() throws Exception {
        assertInstanceOf(LinuxSocketLayer.class, SocketLayer.get());
        assertSame(SocketLayer.get(), SocketLayer.get(), "chosen once");
        try (NetFD ln = NetFD.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4, false)) {
            assertSame(SocketLayer.get(), ln.layer);
            NetFD[] p = NetFD.socketPair(Sys.SOCK_STREAM);
            assertSame(SocketLayer.get(), p[0].layer);
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void bsd_option_numbers_are_looked_up_by_linux_numbers() {
        BsdSys s = BsdSys.DARWIN;
        OptionNumbers o = new OptionNumbers(s.solSocket, s.soReuseaddr, s.soError, s.soSndbuf, s.soRcvbuf, s.soKeepalive,
                s.soLinger, s.soReuseport, s.ipprotoTcp, s.tcpNodelay, s.ipprotoIpv6, s.ipv6V6only);
        assertOption(0xffff, 0x4, o.of(Sys.SOL_SOCKET, Sys.SO_REUSEADDR));
        assertOption(0xffff, 0x200, o.of(Sys.SOL_SOCKET, Sys.SO_REUSEPORT));
        assertOption(0xffff, 0x1007, o.of(Sys.SOL_SOCKET, Sys.SO_ERROR));
        assertOption(0xffff, 0x1001, o.of(Sys.SOL_SOCKET, Sys.SO_SNDBUF));
        assertOption(0xffff, 0x1002, o.of(Sys.SOL_SOCKET, Sys.SO_RCVBUF));
        assertOption(0xffff, 0x8, o.of(Sys.SOL_SOCKET, Sys.SO_KEEPALIVE));
        assertOption(0xffff, 0x80, o.of(Sys.SOL_SOCKET, Sys.SO_LINGER));
        assertOption(6, 1, o.of(Sys.IPPROTO_TCP, Sys.TCP_NODELAY));
        assertOption(41, 27, o.of(Sys.IPPROTO_IPV6, Sys.IPV6_V6ONLY));
        assertEquals(OptionNumbers.NONE, o.of(Sys.SOL_SOCKET, 99));
        assertEquals(OptionNumbers.NONE, o.of(Sys.IPPROTO_TCP, 2));
    }

    private static void assertOption(int level, int name, long packed) {
        assertEquals(level, OptionNumbers.level(packed), "level");
        assertEquals(name, OptionNumbers.name(packed), "name");
    }

    @Test
    void errno_translation_round_trips_for_every_meaning_the_layers_report() {
        int[] linux = {Errno.EINTR, Errno.EBADF, Errno.EAGAIN, Errno.EACCES, Errno.EINVAL, Errno.EMFILE, Errno.EPIPE,
            Errno.ENOTSOCK, Errno.EMSGSIZE, Errno.ENOPROTOOPT, Errno.EAFNOSUPPORT, Errno.EADDRINUSE, Errno.EADDRNOTAVAIL,
            Errno.ENETUNREACH, Errno.ECONNABORTED, Errno.ECONNRESET, Errno.ENOBUFS, Errno.EISCONN, Errno.ENOTCONN,
            Errno.ETIMEDOUT, Errno.ECONNREFUSED, Errno.EHOSTUNREACH, Errno.EALREADY, Errno.EINPROGRESS};
        for (BsdSys s : new BsdSys[] {BsdSys.DARWIN, BsdSys.FREEBSD}) {
            for (int e : linux) {
                assertEquals(e, BsdErrno.toLinux(s, BsdErrno.fromLinux(s, e)), s + " errno " + e);
            }
            assertEquals(0x26, BsdErrno.fromLinux(s, Errno.ENOTSOCK));
        }
        for (int e : linux) {
            if (e != Errno.ENOTSOCK) {
                assertEquals(e, WsaError.toLinux("recv", WsaError.fromLinux("recv", e)), "WSA errno " + e);
            }
        }
        assertEquals(WsaError.WSAENOTSOCK, WsaError.fromLinux("recv", Errno.EBADF), "Winsock says ENOTSOCK for a bad handle");
        assertEquals(WsaError.WSAEWOULDBLOCK, WsaError.fromLinux("connect", Errno.EINPROGRESS));
        assertEquals(WsaError.WSAEWOULDBLOCK, WsaError.fromLinux("recv", Errno.EAGAIN));
    }
}
