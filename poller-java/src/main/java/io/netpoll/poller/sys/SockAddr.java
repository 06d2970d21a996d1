package io.netpoll.poller.sys;

import com.sun.jna.Pointer;

import java.net.SocketAddress;

/**
 * struct sockaddr in Linux's layout, with Linux's family numbers ({@link Sys#AF_INET6} is 10): IPv4
 * ({@code sockaddr_in}, 16 bytes), IPv6 ({@code sockaddr_in6}, 28 bytes) and Unix
 * ({@code sockaddr_un}, up to 110 bytes). The codec is {@link SockAddrFormat#LINUX}; this class
 * names it statically for callers that speak NetFD's Linux-numbered families on every OS.
 *
 * <p>The family is in host byte order, the port and addresses in network byte order. Callers pass
 * native memory of at least {@link #STORAGE_SIZE} bytes that they own and reuse.
 */
public final class SockAddr {
    /** sizeof(struct sockaddr_storage). */
    public static final int STORAGE_SIZE = SockAddrFormat.STORAGE_SIZE;

    private SockAddr() {}

    /** The socket family {@code address} needs: AF_INET, AF_INET6 or AF_UNIX. */
    public static int family(SocketAddress address) {
        return SockAddrFormat.LINUX.family(address);
    }

    /**
     * Writes {@code address} for a socket of {@code family} into {@code mem} and returns the length
     * to pass to the kernel. An IPv4 address on an IPv6 socket becomes its v4-mapped form.
     */
    public static int encode(SocketAddress address, int family, Pointer mem) {
        return SockAddrFormat.LINUX.encode(address, family, mem);
    }

    /** Reads the address the kernel wrote into {@code mem} ({@code len} bytes); null if unnamed. */
    public static SocketAddress decode(Pointer mem, int len) {
        return SockAddrFormat.LINUX.decode(mem, len);
    }
}
