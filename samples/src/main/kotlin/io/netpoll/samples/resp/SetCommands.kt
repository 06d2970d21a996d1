package io.netpoll.samples.resp

/** Set commands on `HashSet<Key>`: SADD, SREM, SCARD, SISMEMBER, SMEMBERS, SPOP. */
internal val setCommands = listOf(
    Command("sadd", -3) { s ->
        val key = s.key(1)
        val set = set(s, key) ?: HashSet<Key>().also { s.store.put(key, it) }
        var added = 0L
        for (i in 2 until s.args.argc) if (set.add(s.key(i))) added++
        s.reply { integer(added) }
    },
    Command("srem", -3) { s ->
        val key = s.key(1)
        val set = set(s, key)
        var removed = 0L
        if (set != null) {
            for (i in 2 until s.args.argc) if (set.remove(s.key(i))) removed++
            if (set.isEmpty()) s.store.remove(key)
        }
        s.reply { integer(removed) }
    },
    Command("scard", 2) { s -> s.reply { integer(set(s, s.key(1))?.size?.toLong() ?: 0) } },
    Command("sismember", 3) { s -> s.reply { integer(if (set(s, s.key(1))?.contains(s.key(2)) == true) 1 else 0) } },
    Command("smembers", 2) { s ->
        val set = set(s, s.key(1)) ?: emptySet()
        s.reply {
            arrayHeader(set.size)
            for (m in set) bulk(m.bytes)
        }
    },
    Command("spop", -2) { s ->
        if (s.args.argc > 3) throw CommandError.SYNTAX
        val key = s.key(1)
        val count = if (s.args.argc == 3) s.long(2) else -1
        if (s.args.argc == 3 && count < 0) throw CommandError("ERR value is out of range, must be positive")
        val set = set(s, key)
        if (set == null) return@Command s.reply { if (count < 0) nullBulk() else arrayHeader(0) }
        val iter = set.iterator()
        if (count < 0) {
            val m = iter.next()
            iter.remove()
            if (set.isEmpty()) s.store.remove(key)
            return@Command s.reply { bulk(m.bytes) }
        }
        val n = minOf(count, set.size.toLong()).toInt()
        s.reply {
            arrayHeader(n)
            repeat(n) {
                bulk(iter.next().bytes)
                iter.remove()
            }
        }
        if (set.isEmpty()) s.store.remove(key)
    },
)

@Suppress("UNCHECKED_CAST")
private fun set(s: RespSession, key: Key): HashSet<Key>? = s.typed<HashSet<*>>(key) as HashSet<Key>?
