package io.netpoll.samples.resp

/** Sorted-set commands on [ZSet]: ZADD, ZSCORE, ZCARD, ZREM, ZPOPMIN, ZRANGE (WITHSCORES). */
internal val zsetCommands = listOf(
    Command("zadd", -4) { s ->
        if (s.args.argc % 2 != 0) throw CommandError.SYNTAX
        val key = s.key(1)
        val scores = (2 until s.args.argc step 2).map { s.double(it) }
        val z = s.typed<ZSet>(key) ?: ZSet().also { s.store.put(key, it) }
        var added = 0L
        for ((n, i) in (2 until s.args.argc step 2).withIndex()) if (z.add(s.key(i + 1), scores[n])) added++
        s.reply { integer(added) }
    },
    Command("zscore", 3) { s -> s.reply { bulk(s.typed<ZSet>(s.key(1))?.score(s.key(2))?.let(::formatDouble)?.toByteArray()) } },
    Command("zcard", 2) { s -> s.reply { integer(s.typed<ZSet>(s.key(1))?.size?.toLong() ?: 0) } },
    Command("zrem", -3) { s ->
        val key = s.key(1)
        val z = s.typed<ZSet>(key)
        var removed = 0L
        if (z != null) {
            for (i in 2 until s.args.argc) if (z.remove(s.key(i))) removed++
            if (z.size == 0) s.store.remove(key)
        }
        s.reply { integer(removed) }
    },
    Command("zpopmin", -2) { s ->
        if (s.args.argc > 3) throw CommandError.SYNTAX
        val key = s.key(1)
        val count = if (s.args.argc == 3) s.long(2) else 1
        if (count < 0) throw CommandError("ERR value is out of range, must be positive")
        val z = s.typed<ZSet>(key)
        val popped = z?.popMin(minOf(count, Int.MAX_VALUE.toLong()).toInt()) ?: emptyList()
        if (z != null && z.size == 0) s.store.remove(key)
        s.reply { pairs(popped) }
    },
    Command("zrange", -4) { s ->
        val withScores = s.args.argc == 5 && s.args.equalsIgnoreCase(4, "withscores")
        if (s.args.argc > 5 || (s.args.argc == 5 && !withScores)) throw CommandError.SYNTAX
        val z = s.typed<ZSet>(s.key(1))
        val n = z?.size?.toLong() ?: 0
        var start = s.long(2)
        var stop = s.long(3)
        if (start < 0) start = maxOf(0, start + n)
        if (stop < 0) stop += n
        if (stop >= n) stop = n - 1
        val items = if (z == null || start > stop) emptyList() else z.range(start.toInt(), stop.toInt())
        s.reply {
            if (withScores) {
                pairs(items)
            } else {
                arrayHeader(items.size)
                for ((m, _) in items) bulk(m.bytes)
            }
        }
    },
)

private fun RespWriter.pairs(items: List<Pair<Key, Double>>) {
    arrayHeader(items.size * 2)
    for ((m, score) in items) {
        bulk(m.bytes)
        bulk(formatDouble(score))
    }
}
