package io.netpoll.samples.resp

import java.util.TreeSet

/**
 * A sorted set: member → score for lookups, and a tree ordered by (score, member bytes) for
 * ranges and pops, the same order Redis's skiplist keeps.
 */
class ZSet {
    private class Entry(val score: Double, val member: Key)

    private val scores = HashMap<Key, Double>()
    private val order = TreeSet<Entry>(compareBy<Entry> { it.score }.thenBy { it.member })

    val size: Int get() = scores.size

    /** Adds or updates [member]; true if it was new. */
    fun add(member: Key, score: Double): Boolean {
        val old = scores.put(member, score)
        if (old != null) order.remove(Entry(old, member))
        order.add(Entry(score, member))
        return old == null
    }

    fun score(member: Key): Double? = scores[member]

    fun remove(member: Key): Boolean {
        val old = scores.remove(member) ?: return false
        order.remove(Entry(old, member))
        return true
    }

    /** Removes and returns up to [count] (member, score) pairs with the lowest scores. */
    fun popMin(count: Int): List<Pair<Key, Double>> {
        val out = ArrayList<Pair<Key, Double>>(minOf(count, size))
        while (out.size < count) {
            val e = order.pollFirst() ?: break
            scores.remove(e.member)
            out.add(e.member to e.score)
        }
        return out
    }

    /** Members by rank, [start]..[stop] inclusive, already clamped by the caller. */
    fun range(start: Int, stop: Int): List<Pair<Key, Double>> =
        order.asSequence().drop(start).take(stop - start + 1).map { it.member to it.score }.toList()
}
