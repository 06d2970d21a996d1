package io.netpoll.poller.sys;

import com.sun.jna.Pointer;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.charset.StandardCharsets;

/**
 * struct sockaddr as one OS lays it out: the same codec for Linux, macOS, FreeBSD and Windows,
 * which differ in three ways only.
 * <ul>
 *   <li>BSD-derived systems start every sockaddr with a length byte ({@code sa_len}) followed by a
 *       one-byte family; Linux and Windows have a two-byte family in host order.</li>
 *   <li>AF_INET6 is 10 on Linux, 30 on macOS, 28 on FreeBSD, 23 on Windows (AF_INET is 2 and
 *       AF_UNIX 1 everywhere).</li>
 *   <li>{@code sun_path} holds 108 bytes on Linux and Windows, 104 on the BSDs.</li>
 * </ul>
 * Otherwise {@code sockaddr_in} is 16 bytes (port at 2, address at 4) and {@code sockaddr_in6} 28
 * (port 2, flowinfo 4, address 8, scope id 24) on all four; ports and addresses in network order.
 * NetFD encodes and decodes through the socket layer's format on every OS, Linux included;
 * {@link SockAddr} is {@link #LINUX} behind a static API (and the source of NetFD's Linux-numbered
 * families).
 */
public final class SockAddrFormat {
    public static final SockAddrFormat LINUX = new SockAddrFormat("linux", false, 10, 108);
    public static final SockAddrFormat DARWIN = new SockAddrFormat("darwin", true, 30, 104);
    public static final SockAddrFormat FREEBSD = new SockAddrFormat("freebsd", true, 28, 104);
    public static final SockAddrFormat WINDOWS = new SockAddrFormat("windows", false, 23, 108);

    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    /** Enough for every form: sizeof(struct sockaddr_storage). */
    public static final int STORAGE_SIZE = 128;
    private static final int SUN_PATH_OFFSET = 2;

    public final String name;
    public final boolean lengthByte;
    public final int afInet6;
    public final int sunPathMax;

    private SockAddrFormat(String name, boolean lengthByte, int afInet6, int sunPathMax) {
        this.name = name;
        this.lengthByte = lengthByte;
        this.afInet6 = afInet6;
        this.sunPathMax = sunPathMax;
    }

    /** The family {@code address} needs: AF_INET, this OS's AF_INET6, or AF_UNIX. */
    public int family(SocketAddress address) {
        if (address instanceof UnixDomainSocketAddress) {
            return AF_UNIX;
        }
        return inet(address).getAddress() instanceof Inet6Address ? afInet6 : AF_INET;
    }

    /**
     * Writes {@code address} for a socket of {@code family} into {@code mem} (at least
     * {@link #STORAGE_SIZE} bytes) and returns the length to pass to the kernel. An IPv4 address on
     * an IPv6 socket becomes its v4-mapped form.
     */
    public int encode(SocketAddress address, int family, Pointer mem) {
        mem.clear(STORAGE_SIZE);
        if (address instanceof UnixDomainSocketAddress) {
            if (family != AF_UNIX) {
                throw new UnsupportedAddressTypeException();
            }
            byte[] path = ((UnixDomainSocketAddress) address).getPath().toString().getBytes(StandardCharsets.UTF_8);
            if (path.length >= sunPathMax) {
                throw new IllegalArgumentException("unix socket path longer than " + (sunPathMax - 1) + " bytes");
            }
            mem.write(SUN_PATH_OFFSET, path, 0, path.length);
            int len = path.length == 0 ? SUN_PATH_OFFSET : SUN_PATH_OFFSET + path.length + 1;
            header(mem, AF_UNIX, len);
            return len;
        }
        InetSocketAddress inet = inet(address);
        InetAddress ip = inet.getAddress();
        int port = inet.getPort();
        if (family == AF_INET) {
            if (!(ip instanceof Inet4Address)) {
                throw new UnsupportedAddressTypeException();
            }
            header(mem, AF_INET, 16);
            mem.setShort(2, Short.reverseBytes((short) port));
            mem.write(4, ip.getAddress(), 0, 4);
            return 16;
        }
        if (family != afInet6) {
            throw new UnsupportedAddressTypeException();
        }
        header(mem, afInet6, 28);
        mem.setShort(2, Short.reverseBytes((short) port));
        byte[] raw = ip.getAddress();
        if (raw.length == 4) {
            mem.setShort(18, (short) 0xffff);
            mem.write(20, raw, 0, 4);
        } else {
            mem.write(8, raw, 0, 16);
            mem.setInt(24, ((Inet6Address) ip).getScopeId());
        }
        return 28;
    }

    private void header(Pointer mem, int family, int len) {
        if (lengthByte) {
            mem.setByte(0, (byte) len);
            mem.setByte(1, (byte) family);
        } else {
            mem.setShort(0, (short) family);
        }
    }

    /** The family field of the sockaddr at {@code mem}. */
    public int familyOf(Pointer mem) {
        return lengthByte ? Byte.toUnsignedInt(mem.getByte(1)) : Short.toUnsignedInt(mem.getShort(0));
    }

    /** Reads the address the kernel wrote into {@code mem} ({@code len} bytes); null if unnamed. */
    public SocketAddress decode(Pointer mem, int len) {
        if (len < 2) {
            return null;
        }
        int family = familyOf(mem);
        try {
            if (family == AF_INET) {
                int port = Short.toUnsignedInt(Short.reverseBytes(mem.getShort(2)));
                return new InetSocketAddress(InetAddress.getByAddress(mem.getByteArray(4, 4)), port);
            }
            if (family == afInet6) {
                int port = Short.toUnsignedInt(Short.reverseBytes(mem.getShort(2)));
                byte[] raw = mem.getByteArray(8, 16);
                int scope = mem.getInt(24);
                InetAddress ip = scope != 0 ? Inet6Address.getByAddress(null, raw, scope) : InetAddress.getByAddress(raw);
                return new InetSocketAddress(ip, port);
            }
            if (family == AF_UNIX) {
                int n = Math.min(len - SUN_PATH_OFFSET, sunPathMax);
                byte[] path = n > 0 ? mem.getByteArray(SUN_PATH_OFFSET, n) : new byte[0];
                int end = 0;
                while (end < path.length && path[end] != 0) {
                    end++;
                }
                return UnixDomainSocketAddress.of(new String(path, 0, end, StandardCharsets.UTF_8));
            }
            return null;
        } catch (UnknownHostException e) {
            throw new IllegalStateException("kernel returned a malformed address", e);
        }
    }

    private static InetSocketAddress inet(SocketAddress address) {
        if (!(address instanceof InetSocketAddress)) {
            throw new UnsupportedAddressTypeException();
        }
        InetSocketAddress inet = (InetSocketAddress) address;
        if (inet.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        return inet;
    }

    @Override
    public String toString() {
        return name;
    }
}
