package io.netpoll.samples.resp

/**
 * A binary-safe key, set member or hash field: bytes compared by content, hash computed once.
 * Redis keys are byte strings, so a JVM `String` (which would need a charset) is not used.
 */
class Key(val bytes: ByteArray) : Comparable<Key> {
    private val hash = bytes.contentHashCode()

    override fun hashCode(): Int = hash

    override fun equals(other: Any?): Boolean = other is Key && other.hash == hash && other.bytes.contentEquals(bytes)

    /** Redis orders equal-score sorted-set members by memcmp of their bytes. */
    override fun compareTo(other: Key): Int = java.util.Arrays.compareUnsigned(bytes, other.bytes)

    override fun toString(): String = String(bytes, Charsets.UTF_8)
}

/**
 * A [Key]'s stand-in for lookups: one request argument's bytes copied into a reused array,
 * hashed as a [Key] with those bytes is and equal to it, so a read-only command finds its key in
 * the store's maps without allocating a [Key] and its byte array per command (`HashMap.get` and
 * `remove` call the argument's `equals` with the stored key, never the other way round). Never
 * stored in a map; [Store] takes it only for lookups and removals. One per connection, used
 * under the service's monitor like the store.
 */
class KeyProbe {
    private var bytes = ByteArray(64)
    private var length = 0
    private var hash = 1

    /** Points this probe at argument [i] of [args]. hot path: no allocation once the array fits. */
    fun of(args: RespParser, i: Int): KeyProbe {
        val n = args.length(i)
        if (n > bytes.size) bytes = ByteArray(maxOf(n, bytes.size * 2))
        args.copyInto(i, bytes)
        length = n
        var h = 1
        for (k in 0 until n) h = 31 * h + bytes[k]
        hash = h
        return this
    }

    override fun hashCode(): Int = hash

    override fun equals(other: Any?): Boolean =
        other is Key && other.hashCode() == hash && java.util.Arrays.equals(bytes, 0, length, other.bytes, 0, other.bytes.size)

    override fun toString(): String = String(bytes, 0, length, Charsets.UTF_8)
}
