package io.netpoll.samples.resp

/** Argument accessors shared by the command handlers; each failure is Redis's error reply. */

fun RespSession.key(i: Int): Key = Key(args.bytes(i))

fun RespSession.bytes(i: Int): ByteArray = args.bytes(i)

/** The live value of the key in argument [i] (as `store.get(key(i))`), allocating no [Key]. */
fun RespSession.value(i: Int): Any? = store.get(probe.of(args, i))

fun RespSession.long(i: Int): Long {
    if (!args.decimal(i)) throw CommandError.NOT_INTEGER
    return args.decimalValue
}

fun RespSession.int(i: Int): Int {
    val v = long(i)
    if (v < Int.MIN_VALUE || v > Int.MAX_VALUE) throw CommandError.NOT_INTEGER
    return v.toInt()
}

fun RespSession.double(i: Int): Double {
    val s = args.string(i)
    val v = when (s.lowercase()) {
        "inf", "+inf" -> Double.POSITIVE_INFINITY
        "-inf" -> Double.NEGATIVE_INFINITY
        else -> s.toDoubleOrNull() ?: throw CommandError.NOT_FLOAT
    }
    if (v.isNaN()) throw CommandError.NOT_FLOAT
    return v
}

/** The value at [key] if it has type [T], null if absent, WRONGTYPE otherwise. */
inline fun <reified T : Any> RespSession.typed(key: Key): T? {
    val v = store.get(key) ?: return null
    return v as? T ?: throw CommandError.WRONG_TYPE
}

/** [typed] for the key in argument [i], allocating no [Key] (see [value]). */
inline fun <reified T : Any> RespSession.typedValue(i: Int): T? {
    val v = value(i) ?: return null
    return v as? T ?: throw CommandError.WRONG_TYPE
}

/** Redis's rendering of a double: integers without a fraction, `inf`/`-inf`. */
fun formatDouble(d: Double): String = when {
    d == Double.POSITIVE_INFINITY -> "inf"
    d == Double.NEGATIVE_INFINITY -> "-inf"
    d == Math.rint(d) && Math.abs(d) < 1e17 -> d.toLong().toString()
    else -> d.toString()
}
