package io.netpoll.samples.resp

/** SUBSCRIBE, UNSUBSCRIBE, PUBLISH (RESP2 semantics, no patterns). */
internal val pubSubCommands = listOf(
    Command("subscribe", -2, allowedWhileSubscribed = true) { s ->
        s.openOutbox()
        for (i in 1 until s.args.argc) {
            val ch = s.key(i)
            if (s.subscriptions.add(ch)) s.service.pubSub.subscribe(ch, s)
            s.reply { confirmation(SUBSCRIBE, ch.bytes, s.subscriptions.size) }
        }
    },
    Command("unsubscribe", -1, allowedWhileSubscribed = true) { s ->
        val channels = if (s.args.argc > 1) (1 until s.args.argc).map { s.key(it) } else s.subscriptions.toList()
        if (channels.isEmpty()) return@Command s.reply { confirmation(UNSUBSCRIBE, null, 0) }
        for (ch in channels) {
            if (s.subscriptions.remove(ch)) s.service.pubSub.unsubscribe(ch, s)
            s.reply { confirmation(UNSUBSCRIBE, ch.bytes, s.subscriptions.size) }
        }
    },
    Command("publish", 3) { s ->
        val n = s.service.pubSub.publish(s.key(1), s.bytes(2))
        s.reply { integer(n.toLong()) }
    },
)

private fun RespWriter.confirmation(kind: ByteArray, channel: ByteArray?, count: Int) {
    arrayHeader(3)
    bulk(kind)
    bulk(channel)
    integer(count.toLong())
}

private val SUBSCRIBE = "subscribe".toByteArray()
private val UNSUBSCRIBE = "unsubscribe".toByteArray()
