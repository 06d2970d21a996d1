package io.netpoll.samples.resp

/** Hash commands on `HashMap<Key, ByteArray>`: HSET, HGET, HGETALL, HDEL, HLEN, HEXISTS. */
internal val hashCommands = listOf(
    Command("hset", -4) { s ->
        if (s.args.argc % 2 != 0) throw CommandError("ERR wrong number of arguments for 'hset' command")
        val key = s.key(1)
        val h = hash(s, key) ?: HashMap<Key, ByteArray>().also { s.store.put(key, it) }
        var added = 0L
        for (i in 2 until s.args.argc step 2) if (h.put(s.key(i), s.bytes(i + 1)) == null) added++
        s.reply { integer(added) }
    },
    Command("hget", 3) { s -> s.reply { bulk(hash(s, s.key(1))?.get(s.key(2))) } },
    Command("hgetall", 2) { s ->
        val h = hash(s, s.key(1)) ?: emptyMap()
        s.reply {
            arrayHeader(h.size * 2)
            for ((f, v) in h) {
                bulk(f.bytes)
                bulk(v)
            }
        }
    },
    Command("hdel", -3) { s ->
        val key = s.key(1)
        val h = hash(s, key)
        var removed = 0L
        if (h != null) {
            for (i in 2 until s.args.argc) if (h.remove(s.key(i)) != null) removed++
            if (h.isEmpty()) s.store.remove(key)
        }
        s.reply { integer(removed) }
    },
    Command("hlen", 2) { s -> s.reply { integer(hash(s, s.key(1))?.size?.toLong() ?: 0) } },
    Command("hexists", 3) { s -> s.reply { integer(if (hash(s, s.key(1))?.containsKey(s.key(2)) == true) 1 else 0) } },
)

@Suppress("UNCHECKED_CAST")
private fun hash(s: RespSession, key: Key): HashMap<Key, ByteArray>? = s.typed<HashMap<*, *>>(key) as HashMap<Key, ByteArray>?
