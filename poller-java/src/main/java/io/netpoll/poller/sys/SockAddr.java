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
 * struct sockaddr encoding and decoding for IPv4 ({@code sockaddr_in}, 16 bytes), IPv6
 * ({@code sockaddr_in6}, 28 bytes) and Unix ({@code sockaddr_un}, up to 110 bytes).
 *
 * <p>The family is in host byte order, the port and addresses in network byte order. Callers pass
 * native memory of at least {@link #STORAGE_SIZE} bytes that they own and reuse.
 */
public final class SockAddr {
    /** sizeof(struct sockaddr_storage). */
    public static final int STORAGE_SIZE = 128;
    private static final int SUN_PATH_OFFSET = 2;
    private static final int SUN_PATH_MAX = 108;

    private SockAddr() {}

    /** The socket family {@code address} needs: AF_INET, AF_INET6 or AF_UNIX. */
    public static int family(SocketAddress address) {
        if (address instanceof UnixDomainSocketAddress) {
            return Sys.AF_UNIX;
        }
        InetSocketAddress inet = inet(address);
        return inet.getAddress() instanceof Inet6Address ? Sys.AF_INET6 : Sys.AF_INET;
    }

    /**
     * Writes {@code address} for a socket of {@code family} into {@code mem} and returns the length
     * to pass to the kernel. An IPv4 address on an IPv6 socket becomes its v4-mapped form.
     */
    public static int encode(SocketAddress address, int family, Pointer mem) {
        mem.clear(STORAGE_SIZE);
        if (address instanceof UnixDomainSocketAddress) {
            if (family != Sys.AF_UNIX) {
                throw new UnsupportedAddressTypeException();
            }
            byte[] path = ((UnixDomainSocketAddress) address).getPath().toString().getBytes(StandardCharsets.UTF_8);
            if (path.length >= SUN_PATH_MAX) {
                throw new IllegalArgumentException("unix socket path longer than " + (SUN_PATH_MAX - 1) + " bytes");
            }
            mem.setShort(0, (short) Sys.AF_UNIX);
            mem.write(SUN_PATH_OFFSET, path, 0, path.length);
            return path.length == 0 ? SUN_PATH_OFFSET : SUN_PATH_OFFSET + path.length + 1;
        }
        InetSocketAddress inet = inet(address);
        InetAddress ip = inet.getAddress();
        int port = inet.getPort();
        if (family == Sys.AF_INET) {
            if (!(ip instanceof Inet4Address)) {
                throw new UnsupportedAddressTypeException();
            }
            mem.setShort(0, (short) Sys.AF_INET);
            mem.setShort(2, Short.reverseBytes((short) port));
            mem.write(4, ip.getAddress(), 0, 4);
            return 16;
        }
        if (family != Sys.AF_INET6) {
            throw new UnsupportedAddressTypeException();
        }
        mem.setShort(0, (short) Sys.AF_INET6);
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

    /** Reads the address the kernel wrote into {@code mem} ({@code len} bytes); null if unnamed. */
    public static SocketAddress decode(Pointer mem, int len) {
        if (len < 2) {
            return null;
        }
        int family = mem.getShort(0);
        try {
            switch (family) {
                case Sys.AF_INET: {
                    int port = Short.toUnsignedInt(Short.reverseBytes(mem.getShort(2)));
                    return new InetSocketAddress(InetAddress.getByAddress(mem.getByteArray(4, 4)), port);
                }
                case Sys.AF_INET6: {
                    int port = Short.toUnsignedInt(Short.reverseBytes(mem.getShort(2)));
                    byte[] raw = mem.getByteArray(8, 16);
                    int scope = mem.getInt(24);
                    InetAddress ip = scope != 0
                            ? Inet6Address.getByAddress(null, raw, scope)
                            : InetAddress.getByAddress(raw);
                    return new InetSocketAddress(ip, port);
                }
                case Sys.AF_UNIX: {
                    int n = len - SUN_PATH_OFFSET;
                    byte[] path = n > 0 ? mem.getByteArray(SUN_PATH_OFFSET, n) : new byte[0];
                    int end = 0;
                    while (end < path.length && path[end] != 0) {
                        end++;
                    }
                    return UnixDomainSocketAddress.of(new String(path, 0, end, StandardCharsets.UTF_8));
                }
                default:
                    return null;
            }
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
}
