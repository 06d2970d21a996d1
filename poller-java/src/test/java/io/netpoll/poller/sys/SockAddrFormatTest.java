package io.netpoll.poller.sys;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** sockaddr bytes per OS, and the Linux form checked against {@link SockAddr} and the kernel. */
class SockAddrFormatTest {
    private static byte[] encode(SockAddrFormat f, SocketAddress a, int family) {
        try (Memory m = new Memory(SockAddrFormat.STORAGE_SIZE)) {
            int len = f.encode(a, family, m);
            return m.getByteArray(0, len);
        }
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    private static final InetSocketAddress V4 = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080);

    @Test
    void ipv4_starts_with_sa_len_on_the_bsds_and_a_two_byte_family_elsewhere() {
        byte[] tail = bytes(0x1f, 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0);
        assertArrayEquals(concat(bytes(16, 2), tail), encode(SockAddrFormat.DARWIN, V4, 2));
        assertArrayEquals(concat(bytes(16, 2), tail), encode(SockAddrFormat.FREEBSD, V4, 2));
        assertArrayEquals(concat(bytes(2, 0), tail), encode(SockAddrFormat.LINUX, V4, 2));
        assertArrayEquals(concat(bytes(2, 0), tail), encode(SockAddrFormat.WINDOWS, V4, 2));
    }

    @Test
    void ipv6_family_numbers_differ_per_os() throws Exception {
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 443);
        assertArrayEquals(bytes(28, 30, 0x01, 0xbb), head(encode(SockAddrFormat.DARWIN, v6, 30), 4));
        assertArrayEquals(bytes(28, 28, 0x01, 0xbb), head(encode(SockAddrFormat.FREEBSD, v6, 28), 4));
        assertArrayEquals(bytes(10, 0, 0x01, 0xbb), head(encode(SockAddrFormat.LINUX, v6, 10), 4));
        assertArrayEquals(bytes(23, 0, 0x01, 0xbb), head(encode(SockAddrFormat.WINDOWS, v6, 23), 4));
        byte[] mac = encode(SockAddrFormat.DARWIN, v6, 30);
        assertEquals(28, mac.length);
        assertEquals(1, mac[23], "::1 ends at byte 23");
        assertEquals(30, SockAddrFormat.DARWIN.family(v6));
        assertEquals(23, SockAddrFormat.WINDOWS.family(v6));
        assertThrows(java.nio.channels.UnsupportedAddressTypeException.class, () -> encode(SockAddrFormat.DARWIN, v6, 2));
    }

    @Test
    void unix_paths_carry_sa_len_and_the_bsd_limit_is_104() {
        byte[] mac = encode(SockAddrFormat.DARWIN, UnixDomainSocketAddress.of("/tmp/x"), 1);
        assertArrayEquals(bytes(9, 1, '/', 't', 'm', 'p', '/', 'x', 0), mac);
        String longest = "/" + "a".repeat(102);
        assertEquals(106, encode(SockAddrFormat.DARWIN, UnixDomainSocketAddress.of(longest), 1).length);
        assertThrows(IllegalArgumentException.class,
                () -> encode(SockAddrFormat.DARWIN, UnixDomainSocketAddress.of(longest + "a"), 1));
        encode(SockAddrFormat.LINUX, UnixDomainSocketAddress.of(longest + "aaaa"), 1);
    }

    @Test
    void every_form_decodes_what_it_encodes() throws Exception {
        SocketAddress[] addrs = {V4, new InetSocketAddress(InetAddress.getByName("fe80::1%1"), 9),
                new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 65535), UnixDomainSocketAddress.of("/run/s.sock")};
        for (SockAddrFormat f : new SockAddrFormat[] {SockAddrFormat.LINUX, SockAddrFormat.DARWIN, SockAddrFormat.FREEBSD, SockAddrFormat.WINDOWS}) {
            for (SocketAddress a : addrs) {
                try (Memory m = new Memory(SockAddrFormat.STORAGE_SIZE)) {
                    int len = f.encode(a, f.family(a), m);
                    assertEquals(a, f.decode(m, len), f + " " + a);
                }
            }
        }
    }

    @Test
    void sockaddr_writes_the_linux_structs_byte_for_byte() throws Exception {
        byte[] in4 = {2, 0, 0x1f, (byte) 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
        byte[] in6 = new byte[28];
        in6[0] = 10;
        in6[3] = 1;
        in6[23] = 1;
        byte[] mapped = new byte[28];
        mapped[0] = 10;
        mapped[2] = 0x1f;
        mapped[3] = (byte) 0x90;
        mapped[18] = (byte) 0xff;
        mapped[19] = (byte) 0xff;
        mapped[20] = 127;
        mapped[23] = 1;
        byte[] un = {1, 0, '/', 't', 'm', 'p', '/', 'y', 0};
        assertArrayEquals(in4, sockaddr(V4, Sys.AF_INET), "sockaddr_in");
        assertArrayEquals(in6, sockaddr(new InetSocketAddress(InetAddress.getByName("::1"), 1), Sys.AF_INET6), "sockaddr_in6");
        assertArrayEquals(mapped, sockaddr(V4, Sys.AF_INET6), "v4-mapped sockaddr_in6");
        assertArrayEquals(un, sockaddr(UnixDomainSocketAddress.of("/tmp/y"), Sys.AF_UNIX), "sockaddr_un");
    }

    private static byte[] sockaddr(SocketAddress a, int family) {
        try (Memory m = new Memory(SockAddr.STORAGE_SIZE)) {
            int len = SockAddr.encode(a, family, m);
            return m.getByteArray(0, len);
        }
    }

    @Test
    void the_linux_kernel_accepts_the_linux_form_and_reports_it_back() {
        int fd = LibC.socket(Sys.AF_INET, Sys.SOCK_STREAM | Sys.SOCK_CLOEXEC, 0);
        try (Memory m = new Memory(SockAddrFormat.STORAGE_SIZE + 4)) {
            InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            int len = SockAddrFormat.LINUX.encode(any, SockAddrFormat.AF_INET, m);
            assertEquals(0, LibC.bind(fd, Pointer.nativeValue(m), len), "bind");
            m.setInt(SockAddrFormat.STORAGE_SIZE, SockAddrFormat.STORAGE_SIZE);
            assertEquals(0, LibC.getsockname(fd, Pointer.nativeValue(m), Pointer.nativeValue(m) + SockAddrFormat.STORAGE_SIZE));
            InetSocketAddress bound = (InetSocketAddress) SockAddrFormat.LINUX.decode(m, m.getInt(SockAddrFormat.STORAGE_SIZE));
            assertEquals(InetAddress.getLoopbackAddress(), bound.getAddress());
            assertEquals(true, bound.getPort() > 0);
        } finally {
            LibC.close(fd);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static byte[] head(byte[] a, int n) {
        byte[] r = new byte[n];
        System.arraycopy(a, 0, r, 0, n);
        return r;
    }
}
