package io.netpoll.samples.resp

/** List commands on `ArrayDeque<ByteArray>`: LPUSH, RPUSH, LPOP, RPOP (with count), LLEN, LRANGE, LINDEX. */
internal val listCommands = listOf(
    Command("lpush", -3) { s -> push(s, left = true) },
    Command("rpush", -3) { s -> push(s, left = false) },
    Command("lpop", -2) { s -> pop(s, left = true) },
    Command("rpop", -2) { s -> pop(s, left = false) },
    Command("llen", 2) { s -> s.reply { integer(list(s, s.key(1))?.size?.toLong() ?: 0) } },
    Command("lindex", 3) { s ->
        val l = list(s, s.key(1))
        val i = s.long(2).let { if (it < 0 && l != null) it + l.size else it }
        s.reply { bulk(if (l != null && i >= 0 && i < l.size) l[i.toInt()] else null) }
    },
    Command("lrange", 4) { s ->
        val l = list(s, s.key(1))
        var start = s.long(2)
        var stop = s.long(3)
        val n = l?.size?.toLong() ?: 0
        if (start < 0) start = maxOf(0, start + n)
        if (stop < 0) stop += n
        if (stop >= n) stop = n - 1
        if (l == null || start > stop) return@Command s.reply { arrayHeader(0) }
        s.reply {
            arrayHeader((stop - start + 1).toInt())
            for (i in start.toInt()..stop.toInt()) bulk(l[i])
        }
    },
)

@Suppress("UNCHECKED_CAST")
private fun list(s: RespSession, key: Key): ArrayDeque<ByteArray>? = s.typed<ArrayDeque<*>>(key) as ArrayDeque<ByteArray>?

private fun push(s: RespSession, left: Boolean) {
    val key = s.key(1)
    val l = list(s, key) ?: ArrayDeque<ByteArray>().also { s.store.put(key, it) }
    for (i in 2 until s.args.argc) if (left) l.addFirst(s.bytes(i)) else l.addLast(s.bytes(i))
    s.reply { integer(l.size.toLong()) }
}

private fun pop(s: RespSession, left: Boolean) {
    if (s.args.argc > 3) throw CommandError.SYNTAX
    val key = s.key(1)
    val count = if (s.args.argc == 3) s.long(2) else -1
    if (s.args.argc == 3 && count < 0) throw CommandError("ERR value is out of range, must be positive")
    val l = list(s, key)
    if (l == null) return s.reply { if (count < 0) nullBulk() else nullArray() }
    if (count < 0) {
        val v = if (left) l.removeFirst() else l.removeLast()
        if (l.isEmpty()) s.store.remove(key)
        return s.reply { bulk(v) }
    }
    val n = minOf(count, l.size.toLong()).toInt()
    s.reply {
        arrayHeader(n)
        repeat(n) { bulk(if (left) l.removeFirst() else l.removeLast()) }
    }
    if (l.isEmpty()) s.store.remove(key)
}
