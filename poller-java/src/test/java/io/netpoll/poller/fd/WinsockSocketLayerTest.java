package io.netpoll.poller.fd;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.poller.sys.Errno;
import io.netpoll.poller.sys.SockAddrFormat;
import io.netpoll.poller.sys.Sys;
import io.netpoll.poller.sys.windows.WsaError;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The Windows socket layer's call sequences and translations, against {@link RecordingWinsock}
 * (no Windows JVM exists here, so this is as far as they run): what NetFD asks in Linux terms and
 * exactly which Winsock calls, arguments and results that becomes.
 */
class WinsockSocketLayerTest {
    private static final int S = 0x1F4;
    private final RecordingWinsock ws = new RecordingWinsock();
    private final WinsockSocketLayer layer = new WinsockSocketLayer(ws);

    @Test
    void wsastartup_runs_once_before_the_first_socket() throws IOException {
        layer.start();
        layer.start();
        assertEquals(S, layer.socket(Sys.AF_INET, Sys.SOCK_STREAM));
        assertEquals("WSAStartup", ws.calls.get(0));
        assertEquals(1, ws.calls.stream().filter("WSAStartup"::equals).count());
    }

    @Test
    void a_socket_is_uninheritable_then_made_nonblocking_with_fionbio() {
        assertEquals(S, layer.socket(Sys.AF_INET6, Sys.SOCK_DGRAM));
        assertEquals(List.of("WSASocketW(23, 2, 0, 0x81)", "ioctlsocket(500, 0x8004667e, 1)"), ws.calls);
    }

    @Test
    void a_failed_socket_call_returns_the_linux_errno() {
        ws.failing = "WSASocketW";
        ws.failingError = WsaError.WSAEAFNOSUPPORT;
        assertEquals(-Errno.EAFNOSUPPORT, layer.socket(Sys.AF_INET6, Sys.SOCK_STREAM));
    }

    @Test
    void a_failed_fionbio_closes_the_new_socket() {
        ws.failing = "ioctlsocket";
        ws.failingError = WsaError.WSAENOBUFS;
        assertEquals(-Errno.ENOBUFS, layer.socket(Sys.AF_INET, Sys.SOCK_STREAM));
        assertEquals("closesocket(500)", ws.calls.get(ws.calls.size() - 1));
    }

    @Test
    void an_accepted_socket_loses_inheritance_and_gets_fionbio() {
        assertEquals(S, layer.accept(7, 0, 0));
        assertEquals(List.of("accept(7)", "SetHandleInformation(500, 1, 0)", "ioctlsocket(500, 0x8004667e, 1)"), ws.calls);
    }

    @Test
    void accept_with_nothing_pending_is_eagain() {
        ws.failing = "accept";
        ws.failingError = WsaError.WSAEWOULDBLOCK;
        assertEquals(-Errno.EAGAIN, layer.accept(7, 0, 0));
    }

    @Test
    void a_nonblocking_connect_in_progress_is_einprogress_not_eagain() {
        ws.failing = "connect";
        ws.failingError = WsaError.WSAEWOULDBLOCK;
        assertEquals(-Errno.EINPROGRESS, layer.connect(7, 0, 16));
    }

    @Test
    void recv_and_send_map_wouldblock_to_eagain_and_send_without_flags() {
        ws.failing = "recv";
        ws.failingError = WsaError.WSAEWOULDBLOCK;
        assertEquals(-Errno.EAGAIN, layer.read(7, 0, 64));
        ws.failing = "send";
        ws.failingError = WsaError.WSAECONNRESET;
        assertEquals(-Errno.ECONNRESET, layer.send(7, 0, 64));
        ws.failing = null;
        ws.bytes = 9;
        assertEquals(9, layer.write(7, 0, 9), "a write is a send: Windows has no pollable pipes");
        assertEquals(List.of("recv(7, 64, 0)", "send(7, 64, 0)", "send(7, 9, 0)"), ws.calls);
    }

    @Test
    void vectors_are_wsabufs_and_wsarecv_gets_zeroed_flags_and_returns_its_byte_count() {
        try (Memory vec = new Memory(SocketLayer.IOVEC_SIZE * 2 + SocketLayer.VECTOR_SCRATCH_SIZE)) {
            long scratch = SocketLayer.IOVEC_SIZE * 2;
            vec.setInt(scratch + 8, -1);
            layer.iovec(vec, 0, 0xA000, 3);
            layer.iovec(vec, SocketLayer.IOVEC_SIZE, 0xB000, 5);
            ws.bytes = 6;
            assertEquals(6, layer.readv(7, vec, 2, scratch));
            assertEquals(6, layer.sendv(7, vec, 2, scratch));
            assertEquals(List.of("WSARecv(7, [3@a000,5@b000], flags 0)", "WSASend(7, [3@a000,5@b000], flags 0)"), ws.calls);
            ws.failing = "WSARecv";
            ws.failingError = WsaError.WSAEWOULDBLOCK;
            assertEquals(-Errno.EAGAIN, layer.readv(7, vec, 2, scratch));
        }
    }

    @Test
    void options_use_winsock_numbers_and_so_reuseport_does_not_exist() {
        try (Memory v = new Memory(8)) {
            v.setInt(0, 1);
            long addr = Pointer.nativeValue(v);
            assertEquals(0, layer.setsockopt(7, Sys.SOL_SOCKET, Sys.SO_REUSEADDR, addr, 4));
            assertEquals(0, layer.setsockopt(7, Sys.IPPROTO_IPV6, Sys.IPV6_V6ONLY, addr, 4));
            assertEquals(0, layer.setsockopt(7, Sys.IPPROTO_TCP, Sys.TCP_NODELAY, addr, 4));
            assertEquals(-Errno.ENOPROTOOPT, layer.setsockopt(7, Sys.SOL_SOCKET, Sys.SO_REUSEPORT, addr, 4));
            assertEquals(-Errno.ENOPROTOOPT, layer.setsockopt(7, 0x1234, 1, addr, 4));
        }
        assertEquals(List.of("setsockopt(7, 0xffff, 0x4, 1, 4)", "setsockopt(7, 0x29, 0x1b, 1, 4)", "setsockopt(7, 0x6, 0x1, 1, 4)"),
                ws.calls);
    }

    @Test
    void so_error_comes_back_as_a_linux_errno() {
        try (Memory v = new Memory(8)) {
            long addr = Pointer.nativeValue(v);
            v.setInt(4, 4);
            ws.optionValue = WsaError.WSAECONNREFUSED;
            assertEquals(0, layer.getsockopt(7, Sys.SOL_SOCKET, Sys.SO_ERROR, addr, addr + 4));
            assertEquals(Errno.ECONNREFUSED, v.getInt(0));
            ws.optionValue = 0;
            assertEquals(0, layer.getsockopt(7, Sys.SOL_SOCKET, Sys.SO_ERROR, addr, addr + 4));
            assertEquals(0, v.getInt(0), "no pending error stays 0");
        }
        assertEquals("getsockopt(7, 0xffff, 0x1007, len 4)", ws.calls.get(0));
    }

    @Test
    void linger_is_two_ints_for_netfd_and_two_ushorts_for_winsock() {
        try (Memory v = new Memory(12)) {
            long addr = Pointer.nativeValue(v);
            v.setInt(0, 1);
            v.setInt(4, 7);
            assertEquals(0, layer.setsockopt(7, Sys.SOL_SOCKET, Sys.SO_LINGER, addr, 8));
            ws.lingerOnoff = 1;
            ws.lingerSeconds = 9;
            v.clear(12);
            v.setInt(8, 8);
            assertEquals(0, layer.getsockopt(7, Sys.SOL_SOCKET, Sys.SO_LINGER, addr, addr + 8));
            assertEquals(1, v.getInt(0));
            assertEquals(9, v.getInt(4));
            assertEquals(8, v.getInt(8));
        }
        assertEquals(List.of("setsockopt(7, 0xffff, 0x80, {1, 7}, 4)", "getsockopt(7, 0xffff, 0x80, len 4)"), ws.calls);
    }

    @Test
    void socketpair_and_pipe_are_not_supported_and_say_so() {
        assertEquals(-Errno.EOPNOTSUPP, layer.socketpair(Sys.SOCK_STREAM, 0));
        assertEquals(-Errno.EOPNOTSUPP, layer.pipe(0));
        IOException e = layer.exception("socketpair", Errno.EOPNOTSUPP);
        assertEquals(SocketException.class, e.getClass());
        assertEquals("Operation not supported (socketpair, WSA error 10045)", e.getMessage());
        assertFalse(ws.calls.contains("WSAStartup"));
    }

    @Test
    void errors_become_the_exceptions_linux_gives() {
        IOException refused = layer.exception("connect", Errno.ECONNREFUSED);
        assertInstanceOf(ConnectException.class, refused);
        assertEquals("Connection refused (connect, WSA error 10061)", refused.getMessage());
        assertEquals("Connection reset by peer (read, WSA error 10054)", layer.exception("read", Errno.ECONNRESET).getMessage());
    }

    @Test
    void addresses_are_windows_sockaddrs_and_listeners_skip_so_reuseaddr() {
        assertSame(SockAddrFormat.WINDOWS, layer.sockaddr());
        assertEquals(23, layer.nativeFamily(Sys.AF_INET6));
        assertEquals(Sys.AF_INET, layer.nativeFamily(Sys.AF_INET));
        assertFalse(layer.reuseAddressOnListen(), "Go sets no SO_REUSEADDR on Windows listeners");
    }
}
