package io.netpoll.samples.resp

import java.util.PriorityQueue

/**
 * The keyspace: one map from [Key] to a value of one Redis type, plus expiry times.
 *
 * Value types: `ByteArray` (string), `ArrayDeque<ByteArray>` (list), `HashSet<Key>` (set),
 * `HashMap<Key, ByteArray>` (hash), [ZSet] (sorted set), [Stream] (stream).
 *
 * Expiry works as in Redis, both ways: lazily (every lookup of an expired key deletes it first)
 * and actively ([expireDue], called periodically by the server on the scheduler's timers, pops a
 * heap of (deadline, key) entries; an entry whose key got a newer deadline or none is stale and
 * skipped). Not thread-safe: the server runs every command while holding the store's monitor.
 */
class Store(private val nowMillis: () -> Long = System::currentTimeMillis) {
    private val data = HashMap<Key, Any>()
    private val expires = HashMap<Key, Long>()
    private val expiryHeap = PriorityQueue<Expiry>(compareBy { it.atMillis })

    private class Expiry(val atMillis: Long, val key: Key)

    /** The map as a lookup by any key: a [KeyProbe] finds a [Key] (see its equals); nothing but a [Key] is put. */
    @Suppress("UNCHECKED_CAST")
    private fun <V> HashMap<Key, V>.anyKey(): HashMap<Any, V> = this as HashMap<Any, V>

    /** The live value of [key], deleting it first if it has expired. */
    fun get(key: Key): Any? = lookup(key)

    /** [get] for the argument [probe] points at, allocating no [Key]. hot path: GET. */
    fun get(probe: KeyProbe): Any? = lookup(probe)

    /** [key] is a [Key] or a [KeyProbe]; both hash and compare equal as the stored [Key]. */
    private fun lookup(key: Any): Any? {
        val at = expires.anyKey()[key]
        if (at != null && at <= nowMillis()) {
            expires.anyKey().remove(key)
            data.anyKey().remove(key)
            return null
        }
        return data.anyKey()[key]
    }

    /** Sets [key] to [value]; clears its expiry unless [keepTtl]. */
    fun put(key: Key, value: Any, keepTtl: Boolean = false) {
        data[key] = value
        if (!keepTtl) expires.remove(key)
    }

    fun remove(key: Key): Boolean {
        expires.remove(key)
        return data.remove(key) != null
    }

    fun exists(key: Key): Boolean = get(key) != null

    /** Sets an absolute deadline for an existing key; false if the key does not exist. */
    fun expireAt(key: Key, atMillis: Long): Boolean {
        if (get(key) == null) return false
        if (atMillis <= nowMillis()) {
            remove(key)
            return true
        }
        expires[key] = atMillis
        expiryHeap.add(Expiry(atMillis, key))
        return true
    }

    /** Remaining time to live: -2 if no such key, -1 if it has no expiry (Redis's PTTL). */
    fun ttlMillis(key: Key): Long {
        if (get(key) == null) return -2
        val at = expires[key] ?: return -1
        return maxOf(0, at - nowMillis())
    }

    fun persist(key: Key): Boolean = get(key) != null && expires.remove(key) != null

    /** Number of live keys (expired ones are purged first, so the count is exact). */
    fun size(): Int {
        expireDue(Int.MAX_VALUE)
        return data.size
    }

    fun expiringKeys(): Int = expires.size

    fun flush() {
        data.clear()
        expires.clear()
        expiryHeap.clear()
    }

    /** Deletes up to [max] keys whose deadline has passed; returns how many it deleted. */
    fun expireDue(max: Int): Int {
        val now = nowMillis()
        var deleted = 0
        while (deleted < max) {
            val head = expiryHeap.peek() ?: break
            if (head.atMillis > now) break
            expiryHeap.poll()
            if (expires[head.key] == head.atMillis) {
                remove(head.key)
                deleted++
            }
        }
        if (expiryHeap.size > 2 * expires.size + 1024) {
            expiryHeap.removeIf { expires[it.key] != it.atMillis }
        }
        return deleted
    }
}
