package io.netpoll.samples.resp

/**
 * Channels and their subscribers (Redis's SUBSCRIBE/PUBLISH, no patterns).
 *
 * A [Subscriber] is a connection; [publish] hands the message to every subscriber, which queues
 * it in its outbox, without waiting for any of them. A subscriber that cannot take more (its
 * bounded outbox is full: a client that stopped reading) is dropped by its own connection, so a
 * slow subscriber never delays the publisher or the others. Guarded by the store's monitor.
 */
class PubSub {
    /** One subscribed connection. */
    fun interface Subscriber {
        /** Queues [message] on [channel] for the client; false if its outbox is full or closed. */
        fun deliver(channel: Key, message: ByteArray): Boolean
    }

    private val channels = HashMap<Key, LinkedHashSet<Subscriber>>()

    fun subscribe(channel: Key, s: Subscriber): Boolean = channels.getOrPut(channel) { LinkedHashSet() }.add(s)

    fun unsubscribe(channel: Key, s: Subscriber): Boolean {
        val set = channels[channel] ?: return false
        val removed = set.remove(s)
        if (set.isEmpty()) channels.remove(channel)
        return removed
    }

    /** Returns the number of subscribers that received the message (PUBLISH's reply). */
    fun publish(channel: Key, message: ByteArray): Int {
        val set = channels[channel] ?: return 0
        var n = 0
        for (s in set) if (s.deliver(channel, message)) n++
        return n
    }

    fun channelCount(): Int = channels.size
}
