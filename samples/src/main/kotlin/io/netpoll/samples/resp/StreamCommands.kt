package io.netpoll.samples.resp

/** Stream commands on [Stream]: XADD with an automatic id (`*`), XLEN. */
internal val streamCommands = listOf(
    Command("xadd", -5) { s ->
        if (!s.args.equalsIgnoreCase(2, "*")) throw CommandError("ERR only automatic ids ('*') are supported")
        if ((s.args.argc - 3) % 2 != 0) throw CommandError("ERR wrong number of arguments for 'xadd' command")
        val key = s.key(1)
        val stream = s.typed<Stream>(key) ?: Stream().also { s.store.put(key, it) }
        val id = stream.add(System.currentTimeMillis(), (3 until s.args.argc).map { s.bytes(it) })
        s.reply { bulk(id) }
    },
    Command("xlen", 2) { s -> s.reply { integer(s.typed<Stream>(s.key(1))?.size?.toLong() ?: 0) } },
)
