package io.netpoll.poller.sys.windows;

import io.netpoll.poller.sys.Errno;
import org.junit.jupiter.api.Test;

import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** WSAGetLastError codes mean what the Linux errnos mean, and raise the same exception types. */
class WsaErrorTest {
    @Test
    void would_block_is_eagain_except_for_connect_where_it_is_einprogress() {
        assertEquals(Errno.EAGAIN, WsaError.toLinux("read", 10035));
        assertEquals(Errno.EAGAIN, WsaError.toLinux("accept", 10035));
        assertEquals(Errno.EINPROGRESS, WsaError.toLinux("connect", 10035));
        assertEquals(Errno.EINTR, WsaError.toLinux("read", 10004));
        assertEquals(Errno.EALREADY, WsaError.toLinux("connect", 10037));
        assertEquals(Errno.EISCONN, WsaError.toLinux("connect", 10056));
        assertEquals(Errno.EPIPE, WsaError.toLinux("write", 10058));
        assertEquals(Errno.EBADF, WsaError.toLinux("read", 10038));
    }

    @Test
    void errors_become_the_same_exceptions_as_on_linux() {
        assertInstanceOf(ConnectException.class, WsaError.exception("connect", 10061));
        assertInstanceOf(ConnectException.class, WsaError.exception("connect", 10060));
        assertEquals(SocketException.class, WsaError.exception("read", 10060).getClass());
        assertInstanceOf(BindException.class, WsaError.exception("bind", 10048));
        assertEquals(SocketException.class, WsaError.exception("listen", 10048).getClass());
        assertInstanceOf(NoRouteToHostException.class, WsaError.exception("connect", 10065));
        assertInstanceOf(NoRouteToHostException.class, WsaError.exception("connect", 10051));
        SocketException reset = (SocketException) WsaError.exception("read", 10054);
        assertEquals(SocketException.class, reset.getClass());
        assertEquals("Connection reset by peer (read, WSA error 10054)", reset.getMessage());
    }

    @Test
    void winsock_constants_that_differ_from_linux() {
        assertEquals(23, WinSys.AF_INET6);
        assertEquals(0xffff, WinSys.SOL_SOCKET);
        assertEquals(0x1007, WinSys.SO_ERROR);
        assertEquals(0x8004667E, WinSys.FIONBIO);
        assertEquals(0xfffffffb, WinSys.SO_EXCLUSIVEADDRUSE);
        assertEquals(-1L, WinSys.INVALID_SOCKET);
        assertEquals(0x0202, WinSys.WINSOCK_VERSION);
    }
}
