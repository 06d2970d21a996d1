package io.netpoll.samples.resp

import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.atomic.AtomicLong

/**
 * What all connections of one RESP server share: the keyspace, the pub/sub channels, counters for
 * INFO and `--stats`, and the runtime's own stats text for INFO's `# Netpoll` section.
 *
 * Every command runs while holding this object's monitor ([execute]): the store behaves like
 * Redis's single-threaded keyspace while the connections' I/O and parsing run in parallel on the
 * scheduler's workers.
 */
class RespService(
    val maxBulkBytes: Long = RespParser.DEFAULT_MAX_BULK_BYTES,
    val tcpPort: Int = 0,
    private val runtimeInfo: () -> String = { "" },
) {
    val store = Store()
    val pubSub = PubSub()
    val startedMillis = System.currentTimeMillis()
    val connectedClients = AtomicInteger()
    val totalConnections = AtomicLong()

    /** Updated under the monitor. */
    var commandsProcessed = 0L
        private set

    inline fun <T> execute(block: () -> T): T = synchronized(this) { block() }

    fun countCommand() {
        commandsProcessed++
    }

    /**
     * INFO's text: Redis's field names where Redis has them, then this runtime's stats. [sections]
     * (lowercase) selects sections as Redis does: none, `all`, `default` or `everything` means all
     * of them; an unknown name selects nothing.
     */
    fun info(sections: Collection<String> = emptyList()): String {
        val every = sections.isEmpty() || sections.any { it == "all" || it == "default" || it == "everything" }
        return infoSections()
            .filter { (name, _) -> every || name.lowercase() in sections }
            .joinToString("\r\n") { (name, fields) -> "# $name\r\n$fields" }
    }

    /** (name, `field:value\r\n` lines) in Redis's order; `Netpoll` when the runtime reports stats. */
    private fun infoSections(): List<Pair<String, String>> {
        val uptimeSeconds = (System.currentTimeMillis() - startedMillis) / 1000
        val keys = store.size()
        val sections = arrayListOf(
            "Server" to "redis_version:7.0.0\r\nredis_mode:standalone\r\nserver:netpoll-jvm\r\n" +
                "tcp_port:$tcpPort\r\nuptime_in_seconds:$uptimeSeconds\r\n",
            "Clients" to "connected_clients:${connectedClients.get()}\r\n",
            "Stats" to "total_connections_received:${totalConnections.get()}\r\n" +
                "total_commands_processed:$commandsProcessed\r\npubsub_channels:${pubSub.channelCount()}\r\n",
            "Keyspace" to if (keys > 0) "db0:keys=$keys,expires=${store.expiringKeys()},avg_ttl=0\r\n" else "",
        )
        val runtime = runtimeInfo()
        if (runtime.isNotEmpty()) sections += "Netpoll" to runtime
        return sections
    }
}
