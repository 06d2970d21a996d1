package io.netpoll.net.internal

/**
 * The network names Go's net package accepts for the operations net-kt supports. An IPv4-only or
 * IPv6-only variant restricts which resolved addresses are used.
 */
internal enum class Network(val id: String, val stream: Boolean, val unix: Boolean, val v4: Boolean, val v6: Boolean) {
    TCP("tcp", true, false, true, true),
    TCP4("tcp4", true, false, true, false),
    TCP6("tcp6", true, false, false, true),
    UNIX("unix", true, true, false, false),
    UDP("udp", false, false, true, true),
    UDP4("udp4", false, false, true, false),
    UDP6("udp6", false, false, false, true);

    companion object {
        /** The network called [name] if it is one of [allowed]; else IllegalArgumentException. */
        fun of(name: String, vararg allowed: Network): Network {
            val n = entries.firstOrNull { it.id == name }
            require(n != null && n in allowed) {
                "unknown network \"$name\" (expected one of ${allowed.joinToString { it.id }})"
            }
            return n
        }
    }
}
