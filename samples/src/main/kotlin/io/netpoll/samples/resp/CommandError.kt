package io.netpoll.samples.resp

/**
 * A command's error reply (`ERR ...`, `WRONGTYPE ...`), thrown from deep inside a handler and
 * turned into `-message\r\n` by the session. Stackless: it is an expected outcome, not a bug.
 */
class CommandError(message: String) : RuntimeException(message, null, false, false) {
    companion object {
        val WRONG_TYPE = CommandError("WRONGTYPE Operation against a key holding the wrong kind of value")
        val NOT_INTEGER = CommandError("ERR value is not an integer or out of range")
        val NOT_FLOAT = CommandError("ERR value is not a valid float")
        val SYNTAX = CommandError("ERR syntax error")
        val OVERFLOW = CommandError("ERR increment or decrement would overflow")
    }
}
