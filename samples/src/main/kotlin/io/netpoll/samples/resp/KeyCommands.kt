package io.netpoll.samples.resp

/** Commands on keys of any type: DEL, EXISTS, TYPE, EXPIRE/PEXPIRE, TTL/PTTL, PERSIST. */
internal val keyCommands = listOf(
    Command("del", -2) { s ->
        var n = 0L
        for (i in 1 until s.args.argc) if (s.store.remove(s.key(i))) n++
        s.reply { integer(n) }
    },
    Command("exists", -2) { s ->
        var n = 0L
        for (i in 1 until s.args.argc) if (s.value(i) != null) n++
        s.reply { integer(n) }
    },
    Command("type", 2) { s ->
        val t = when (s.value(1)) {
            null -> "none"
            is ByteArray -> "string"
            is ArrayDeque<*> -> "list"
            is HashSet<*> -> "set"
            is HashMap<*, *> -> "hash"
            is ZSet -> "zset"
            is Stream -> "stream"
            else -> "none"
        }
        s.reply { simple(t) }
    },
    Command("expire", 3) { s -> expire(s, s.long(2), 1000) },
    Command("pexpire", 3) { s -> expire(s, s.long(2), 1) },
    Command("ttl", 2) { s ->
        val ms = s.store.ttlMillis(s.key(1))
        s.reply { integer(if (ms < 0) ms else (ms + 500) / 1000) }
    },
    Command("pttl", 2) { s -> s.reply { integer(s.store.ttlMillis(s.key(1))) } },
    Command("persist", 2) { s -> s.reply { integer(if (s.store.persist(s.key(1))) 1 else 0) } },
)

private fun expire(s: RespSession, amount: Long, unitMillis: Long) {
    if (amount > Long.MAX_VALUE / unitMillis / 2 || amount < Long.MIN_VALUE / unitMillis / 2) {
        throw CommandError("ERR invalid expire time in '${s.args.string(0).lowercase()}' command")
    }
    val ok = s.store.expireAt(s.key(1), System.currentTimeMillis() + amount * unitMillis)
    s.reply { integer(if (ok) 1 else 0) }
}
