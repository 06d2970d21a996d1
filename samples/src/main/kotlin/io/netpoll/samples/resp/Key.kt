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
