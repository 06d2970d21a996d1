package io.netpoll.net.internal

import java.net.Inet4Address
import java.net.Inet6Address
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.SocketAddress
import java.net.UnixDomainSocketAddress
import java.net.UnknownHostException

/**
 * Go-style address strings: `"host:port"`, `"[ipv6]:port"`, `":port"` (every local address when
 * listening, the loopback when dialling), `"localhost:0"`; a filesystem path for "unix". Parsing
 * follows Go's net.SplitHostPort; the port must be numeric (service names are not looked up).
 *
 * A malformed address is an [IllegalArgumentException]; a name that does not resolve (or resolves
 * to no address of the network's family) an [UnknownHostException].
 */
internal object Addresses {
    /** Go's SplitHostPort: host without brackets, and the port text. */
    fun splitHostPort(hostport: String): Pair<String, String> {
        fun fail(why: String): Nothing = throw IllegalArgumentException("address $hostport: $why")
        val colon = hostport.lastIndexOf(':')
        if (colon < 0) fail("missing port in address")
        val host: String
        if (hostport.startsWith("[")) {
            val end = hostport.indexOf(']')
            if (end < 0) fail("missing ']' in address")
            if (end + 1 != colon) fail(if (end + 1 == hostport.length) "missing port in address" else "unexpected text after ']'")
            host = hostport.substring(1, end)
            if (host.isEmpty() || !host.contains(':')) fail("brackets around a non-IPv6 host")
        } else {
            host = hostport.substring(0, colon)
            if (host.contains(':')) fail("too many colons in address")
        }
        return host to hostport.substring(colon + 1)
    }

    fun port(text: String, address: String): Int {
        val p = text.toIntOrNull()
        require(p != null && p in 0..65535 && text.all { it in '0'..'9' }) { "address $address: invalid port \"$text\"" }
        return p
    }

    /** The IP address [host] spells literally, or null if it is a name. No DNS query is made. */
    fun literal(host: String): InetAddress? {
        if (host.contains(':')) {
            return InetAddress.getByName(host)
        }
        if (IPV4.matches(host)) {
            val parts = host.split('.').map { it.toInt() }
            require(parts.all { it in 0..255 }) { "invalid IPv4 address $host" }
            return InetAddress.getByAddress(ByteArray(4) { parts[it].toByte() })
        }
        return null
    }

    fun matches(network: Network, ip: InetAddress): Boolean =
        (network.v4 && ip is Inet4Address) || (network.v6 && ip is Inet6Address)

    /** Keeps the addresses [network] can use, in resolver order; UnknownHostException if none. */
    fun filter(network: Network, host: String, ips: Array<InetAddress>): List<InetAddress> {
        val usable = ips.filter { matches(network, it) }
        if (usable.isEmpty()) {
            throw UnknownHostException("$host: no ${network.id} address")
        }
        return usable
    }

    /**
     * The one local address to bind for [network] (Go's favoriteAddrFamily / first(isIPv4) for
     * listeners): an empty host is the wildcard (dual-stack `[::]` for "tcp"/"udp"), a name
     * resolves (blocking) and its first IPv4 address wins when the network allows both.
     */
    fun listenAddress(network: Network, address: String): SocketAddress {
        if (network.unix) {
            return UnixDomainSocketAddress.of(address)
        }
        val (host, portText) = splitHostPort(address)
        val port = port(portText, address)
        if (host.isEmpty()) {
            return InetSocketAddress(if (network.v6) InetAddress.getByName("::") else InetAddress.getByName("0.0.0.0"), port)
        }
        val ip = literal(host)
        if (ip != null) {
            require(matches(network, ip)) { "address $address: not an ${network.id} address" }
            return InetSocketAddress(ip, port)
        }
        val ips = filter(network, host, InetAddress.getAllByName(host))
        return InetSocketAddress(ips.firstOrNull { it is Inet4Address } ?: ips[0], port)
    }

    /** Dial targets for a literal or empty host, or null if [host] needs a name lookup. */
    fun dialLiteral(network: Network, host: String, port: Int, address: String): List<SocketAddress>? {
        if (host.isEmpty()) {
            val loopback = if (network.v4) InetAddress.getByName("127.0.0.1") else InetAddress.getByName("::1")
            return listOf(InetSocketAddress(loopback, port))
        }
        val ip = literal(host) ?: return null
        require(matches(network, ip)) { "address $address: not an ${network.id} address" }
        return listOf(InetSocketAddress(ip, port))
    }

    private val IPV4 = Regex("""\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}""")
}
