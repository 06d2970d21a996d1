package io.netpoll.samples.resp

/**
 * The command table: name, Redis-style arity (N = exactly N words including the name, -N = at
 * least N) and handler. Handlers run under the service's monitor, read their arguments from
 * [RespSession.args], reply through [RespSession.reply], and throw [CommandError] for error replies.
 *
 * Lookup is by length, then a case-insensitive byte compare against the request buffer, so
 * finding a command allocates nothing.
 */
class Command(
    val name: String,
    val arity: Int,
    val allowedWhileSubscribed: Boolean = false,
    val handler: Handler,
) {
    fun interface Handler {
        fun run(s: RespSession)
    }

    fun arityOk(argc: Int): Boolean = if (arity >= 0) argc == arity else argc >= -arity
}

object Commands {
    val all: List<Command> = serverCommands + keyCommands + stringCommands + listCommands + setCommands +
        hashCommands + zsetCommands + streamCommands + pubSubCommands

    private val byLength: Array<Array<Command>> = run {
        val max = all.maxOf { it.name.length }
        Array(max + 1) { len -> all.filter { it.name.length == len }.toTypedArray() }
    }

    /** The command named by argument 0, or null. hot path: no allocation. */
    fun lookup(args: RespParser): Command? {
        val len = args.length(0)
        if (len >= byLength.size) return null
        for (c in byLength[len]) if (args.equalsIgnoreCase(0, c.name)) return c
        return null
    }
}
