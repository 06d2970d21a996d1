package io.netpoll.samples.resp

/**
 * Connection and server commands: PING, ECHO, SELECT, QUIT, INFO, DBSIZE, FLUSHALL/FLUSHDB, and
 * what real clients send on their own: CONFIG GET (redis-benchmark reads `save` and `appendonly`)
 * and COMMAND (redis-cli asks for the table and its docs).
 */
internal val serverCommands = listOf(
    Command("ping", -1, allowedWhileSubscribed = true) { s ->
        if (s.args.argc > 2) throw CommandError("ERR wrong number of arguments for 'ping' command")
        when {
            s.subscriptions.isNotEmpty() -> s.reply {
                arrayHeader(2)
                bulk(PONG_LOWER)
                bulk(if (s.args.argc == 2) s.bytes(1) else EMPTY)
            }
            s.args.argc == 2 -> s.reply { bulk(s.bytes(1)) }
            else -> s.reply { raw(PONG) }
        }
    },
    Command("echo", 2) { s -> s.reply { bulk(s.bytes(1)) } },
    Command("select", 2) { s ->
        if (s.long(1) != 0L) throw CommandError("ERR DB index is out of range")
        s.reply { ok() }
    },
    Command("quit", -1, allowedWhileSubscribed = true) { s ->
        s.reply { ok() }
        s.requestQuit()
    },
    Command("info", -1) { s ->
        val sections = (1 until s.args.argc).map { s.args.string(it).lowercase() }
        s.reply { bulk(s.service.info(sections)) }
    },
    Command("dbsize", 1) { s -> s.reply { integer(s.store.size().toLong()) } },
    Command("flushall", -1) { s ->
        s.store.flush()
        s.reply { ok() }
    },
    Command("flushdb", -1) { s ->
        s.store.flush()
        s.reply { ok() }
    },
    Command("config", -2) { s ->
        if (!s.args.equalsIgnoreCase(1, "get")) {
            throw CommandError("ERR unknown subcommand '${s.args.string(1)}'. Try CONFIG HELP.")
        }
        if (s.args.argc < 3) throw CommandError("ERR wrong number of arguments for 'config|get' command")
        val pairs = (2 until s.args.argc).mapNotNull { i ->
            val name = s.args.string(i).lowercase()
            CONFIG[name]?.let { name to it }
        }
        s.reply {
            arrayHeader(pairs.size * 2)
            for ((k, v) in pairs) {
                bulk(k)
                bulk(v)
            }
        }
    },
    Command("command", -1) { s ->
        when {
            s.args.argc == 1 -> s.reply {
                arrayHeader(Commands.all.size)
                for (c in Commands.all) describe(c)
            }
            s.args.equalsIgnoreCase(1, "count") -> s.reply { integer(Commands.all.size.toLong()) }
            s.args.equalsIgnoreCase(1, "docs") -> s.reply { arrayHeader(0) }
            else -> throw CommandError("ERR unknown subcommand '${s.args.string(1)}'. Try COMMAND HELP.")
        }
    },
)

/** COMMAND's per-command entry: name, arity, flags, first key, last key, key step. */
private fun RespWriter.describe(c: Command) {
    arrayHeader(6)
    bulk(c.name)
    integer(c.arity.toLong())
    arrayHeader(0)
    integer(0)
    integer(0)
    integer(0)
}

private val CONFIG = mapOf(
    "save" to "",
    "appendonly" to "no",
    "databases" to "1",
    "maxmemory" to "0",
)

private val PONG = "+PONG\r\n".toByteArray()
private val PONG_LOWER = "pong".toByteArray()
private val EMPTY = ByteArray(0)
