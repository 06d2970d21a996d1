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

    /** INFO's text: Redis's field names where Redis has them, then this runtime's stats. */
    fun info(): String = buildString {
        val uptimeSeconds = (System.currentTimeMillis() - startedMillis) / 1000
        append("# Server\r\n")
        append("redis_version:7.0.0\r\n")
        append("redis_mode:standalone\r\n")
        append("server:netpoll-jvm\r\n")
        append("tcp_port:$tcpPort\r\n")
        append("uptime_in_seconds:$uptimeSeconds\r\n")
        append("\r\n# Clients\r\n")
        append("connected_clients:${connectedClients.get()}\r\n")
        append("\r\n# Stats\r\n")
        append("total_connections_received:${totalConnections.get()}\r\n")
        append("total_commands_processed:$commandsProcessed\r\n")
        append("pubsub_channels:${pubSub.channelCount()}\r\n")
        append("\r\n# Keyspace\r\n")
        val keys = store.size()
        if (keys > 0) append("db0:keys=$keys,expires=${store.expiringKeys()},avg_ttl=0\r\n")
        val runtime = runtimeInfo()
        if (runtime.isNotEmpty()) {
            append("\r\n# Netpoll\r\n")
            append(runtime)
        }
    }
}
