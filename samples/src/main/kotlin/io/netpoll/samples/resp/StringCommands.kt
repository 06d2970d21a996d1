package io.netpoll.samples.resp

/** String commands: GET, SET (EX/PX/NX/XX/KEEPTTL), SETEX, MSET, MGET, INCR/DECR/INCRBY/DECRBY, APPEND, STRLEN. */
internal val stringCommands = listOf(
    Command("get", 2) { s -> s.reply { bulk(s.typedValue<ByteArray>(1)) } },
    Command("set", -3) { s -> set(s) },
    Command("setex", 4) { s ->
        val seconds = s.long(2)
        if (seconds <= 0) throw CommandError("ERR invalid expire time in 'setex' command")
        val key = s.key(1)
        s.store.put(key, s.bytes(3))
        s.store.expireAt(key, System.currentTimeMillis() + seconds * 1000)
        s.reply { ok() }
    },
    Command("mset", -3) { s ->
        if (s.args.argc % 2 != 1) throw CommandError("ERR wrong number of arguments for 'mset' command")
        for (i in 1 until s.args.argc step 2) s.store.put(s.key(i), s.bytes(i + 1))
        s.reply { ok() }
    },
    Command("mget", -2) { s ->
        s.reply {
            arrayHeader(s.args.argc - 1)
            for (i in 1 until s.args.argc) bulk(s.value(i) as? ByteArray)
        }
    },
    Command("incr", 2) { s -> incrBy(s, 1) },
    Command("decr", 2) { s -> incrBy(s, -1) },
    Command("incrby", 3) { s -> incrBy(s, s.long(2)) },
    Command("decrby", 3) { s ->
        val by = s.long(2)
        if (by == Long.MIN_VALUE) throw CommandError("ERR decrement would overflow")
        incrBy(s, -by)
    },
    Command("append", 3) { s ->
        val key = s.key(1)
        val v = (s.typed<ByteArray>(key) ?: ByteArray(0)) + s.bytes(2)
        s.store.put(key, v, keepTtl = true)
        s.reply { integer(v.size.toLong()) }
    },
    Command("strlen", 2) { s -> s.reply { integer(s.typedValue<ByteArray>(1)?.size?.toLong() ?: 0) } },
)

private fun set(s: RespSession) {
    val key = s.key(1)
    var ttlMillis = -1L
    var nx = false
    var xx = false
    var keepTtl = false
    var i = 3
    while (i < s.args.argc) {
        when {
            s.args.equalsIgnoreCase(i, "nx") -> nx = true
            s.args.equalsIgnoreCase(i, "xx") -> xx = true
            s.args.equalsIgnoreCase(i, "keepttl") -> keepTtl = true
            s.args.equalsIgnoreCase(i, "ex") || s.args.equalsIgnoreCase(i, "px") -> {
                if (i + 1 >= s.args.argc || ttlMillis >= 0) throw CommandError.SYNTAX
                val unit = if (s.args.equalsIgnoreCase(i, "ex")) 1000 else 1
                val amount = s.long(++i)
                if (amount <= 0 || amount > Long.MAX_VALUE / 2000) throw CommandError("ERR invalid expire time in 'set' command")
                ttlMillis = amount * unit
            }
            else -> throw CommandError.SYNTAX
        }
        i++
    }
    if ((nx && xx) || (keepTtl && ttlMillis >= 0)) throw CommandError.SYNTAX
    val exists = s.store.exists(key)
    if ((nx && exists) || (xx && !exists)) return s.reply { nullBulk() }
    s.store.put(key, s.bytes(2), keepTtl)
    if (ttlMillis >= 0) s.store.expireAt(key, System.currentTimeMillis() + ttlMillis)
    s.reply { ok() }
}

private fun incrBy(s: RespSession, by: Long) {
    val key = s.key(1)
    val old = s.typed<ByteArray>(key)
    val current = if (old == null) 0L else {
        val t = old.toString(Charsets.US_ASCII).toLongOrNull() ?: throw CommandError.NOT_INTEGER
        if (old.size > 1 && (old[0] == '0'.code.toByte() || old[0] == '+'.code.toByte())) throw CommandError.NOT_INTEGER
        t
    }
    val next = current + by
    if ((by > 0 && next < current) || (by < 0 && next > current)) throw CommandError.OVERFLOW
    s.store.put(key, next.toString().toByteArray(Charsets.US_ASCII), keepTtl = true)
    s.reply { integer(next) }
}
