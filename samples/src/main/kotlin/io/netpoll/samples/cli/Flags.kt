package io.netpoll.samples.cli

/**
 * `--name value` / `--name=value` / `--switch` command-line flags for one subcommand, with its
 * usage text. Anything unknown, missing or malformed is a [UsageException] whose message is the
 * one line the user sees.
 */
class Flags(private val command: String, private val usage: String, private val spec: Map<String, Kind>, argv: List<String>) {
    enum class Kind { VALUE, SWITCH }

    private val values = HashMap<String, String>()

    /** `--help` was given: print [usage] and exit 0. */
    val help: Boolean

    init {
        var help = false
        var i = 0
        while (i < argv.size) {
            val a = argv[i]
            if (a == "--help" || a == "-h") {
                help = true
                i++
                continue
            }
            if (!a.startsWith("--")) throw UsageException("$command: unexpected argument '$a' (see --help)")
            val name = a.removePrefix("--").substringBefore('=')
            val kind = spec[name] ?: throw UsageException("$command: unknown flag --$name (see --help)")
            if (kind == Kind.SWITCH) {
                if (a.contains('=')) throw UsageException("$command: --$name takes no value")
                values[name] = "true"
            } else if (a.contains('=')) {
                values[name] = a.substringAfter('=')
            } else {
                if (i + 1 >= argv.size) throw UsageException("$command: --$name needs a value")
                values[name] = argv[++i]
            }
            i++
        }
        this.help = help
    }

    fun usage(): String = usage.trimIndent()

    fun string(name: String, default: String): String = values[name] ?: default

    fun switch(name: String): Boolean = values[name] == "true"

    fun int(name: String, default: Int, min: Int = 1, max: Int = Int.MAX_VALUE): Int {
        val raw = values[name] ?: return default
        val v = raw.toIntOrNull()
        if (v == null || v < min || v > max) throw UsageException("$command: --$name must be an integer in $min..$max, got '$raw'")
        return v
    }

    fun oneOf(name: String, default: String, allowed: List<String>): String {
        val v = values[name] ?: return default
        if (v !in allowed) throw UsageException("$command: --$name must be one of ${allowed.joinToString("|")}, got '$v'")
        return v
    }

    /** A `host:port` address, checked the way the user would expect before it reaches listen/dial. */
    fun address(name: String, default: String): String {
        val v = values[name] ?: return default
        val port = v.substringAfterLast(':', "").toIntOrNull()
        if (!v.contains(':') || port == null || port !in 0..65535) {
            throw UsageException("$command: --$name must be host:port (e.g. 127.0.0.1:6380), got '$v'")
        }
        return v
    }
}

/** A bad command line; the message is printed as is, exit status 2. */
class UsageException(message: String) : Exception(message)
