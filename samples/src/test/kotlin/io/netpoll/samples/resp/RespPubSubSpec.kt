package io.netpoll.samples.resp

import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import io.netpoll.samples.server.ServerRuntime
import java.lang.management.ManagementFactory

/**
 * Pub/sub delivery keeps up with a publisher on the same machine: an unthrottled publisher and a
 * subscriber that reads, every message checked (sequence number and seeded content), the
 * subscriber never dropped at the default 32 MiB outbox limit, and no allocation per message
 * beyond PUBLISH's copy of its argument. The rate is printed next to a real
 * redis-server's for the same load (a figure, not an assertion). `-Dresp.pubsub.mib=1024` for a
 * longer run.
 */
class RespPubSubSpec : StringSpec({
    val mib = System.getProperty("resp.pubsub.mib", "256").toInt()
    val messageBytes = 4096
    val messages = mib * (1 shl 20) / messageBytes

    "an unthrottled publisher's messages all reach a reading subscriber, in order and intact" {
        val (server, _) = RespServer.start(ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0")
        val allocatedBefore = allocatedBytes()
        val ours = try {
            PubSubLoad(server.port, messages, messageBytes).run()
        } finally {
            server.shutdown()
        }
        // Every thread's allocations, the clients' included (they allocate nothing per message).
        val allocatedPerMessage = (allocatedBytes() - allocatedBefore) / messages
        val theirs = if (RedisServer.available) RedisServer().use { PubSubLoad(it.port, messages, messageBytes).run() } else null
        println("pub/sub: $mib MiB in $messages messages of $messageBytes bytes to one reading subscriber: " +
            "netpoll %.0f MB/s (%d delivered%s)".format(ours.mbPerSecond(messageBytes), ours.delivered, if (ours.dropped) ", DROPPED" else "") +
            (theirs?.let { ", redis-server %.0f MB/s (%d delivered%s)".format(it.mbPerSecond(messageBytes), it.delivered, if (it.dropped) ", DROPPED" else "") } ?: ""))
        println("pub/sub: $allocatedPerMessage bytes allocated per message of $messageBytes bytes")
        ours.error shouldBe null
        ours.dropped shouldBe false
        ours.delivered shouldBe messages
        // PUBLISH copies its argument once; queueing and writing a message allocate nothing.
        (allocatedPerMessage < 2 * messageBytes) shouldBe true
    }
})

private fun allocatedBytes(): Long {
    val threads = ManagementFactory.getThreadMXBean() as com.sun.management.ThreadMXBean
    return threads.getThreadAllocatedBytes(threads.allThreadIds).filter { it > 0 }.sum()
}
