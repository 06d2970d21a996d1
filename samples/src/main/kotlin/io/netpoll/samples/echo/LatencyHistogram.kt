package io.netpoll.samples.echo

/**
 * Log-linear latency histogram (HdrHistogram's idea, tiny): 64 sub-buckets per power of two, so
 * every recorded value is kept within 1/64 (1.6 %) relative error in a few KiB. One per
 * connection, [merge]d at the end, so recording is a plain array increment. hot path.
 */
class LatencyHistogram {
    private val counts = LongArray(64 * SUB_BUCKETS)
    var total = 0L
        private set

    fun record(micros: Long) {
        counts[index(maxOf(0, micros))]++
        total++
    }

    fun merge(other: LatencyHistogram) {
        for (i in counts.indices) counts[i] += other.counts[i]
        total += other.total
    }

    /** The value at quantile [q] (0..1): the lower bound of the bucket holding it. */
    fun quantile(q: Double): Long {
        if (total == 0L) return 0
        val rank = maxOf(1L, Math.ceil(q * total).toLong())
        var seen = 0L
        for (i in counts.indices) {
            seen += counts[i]
            if (seen >= rank) return lowerBound(i)
        }
        return lowerBound(counts.size - 1)
    }

    private companion object {
        const val SUB_BUCKETS = 64
        const val SUB_BITS = 6

        fun index(v: Long): Int {
            if (v < SUB_BUCKETS) return v.toInt()
            val magnitude = 63 - java.lang.Long.numberOfLeadingZeros(v) - SUB_BITS + 1
            val sub = (v ushr magnitude).toInt() - SUB_BUCKETS
            return (magnitude + 1) * SUB_BUCKETS + sub
        }

        fun lowerBound(i: Int): Long {
            if (i < SUB_BUCKETS) return i.toLong()
            val magnitude = i / SUB_BUCKETS - 1
            val sub = i % SUB_BUCKETS
            return (SUB_BUCKETS + sub).toLong() shl magnitude
        }
    }
}
