package io.netpoll.samples.echo

/**
 * Log-linear latency histogram (HdrHistogram's idea, tiny): 64 sub-buckets per power of two, so
 * every recorded value is kept within 1/64 (1.6 %) relative error in a few KiB. One per
 * connection, [merge]d at the end, so recording is a plain array increment. hot path.
 */
class LatencyHistogram {
    private val counts = LongArray(EXACT + 57 * SUB_BUCKETS)
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
        /** Values below 128 are exact; above, each power of two is split into 64 buckets. */
        const val EXACT = 128
        const val SUB_BUCKETS = 64

        fun index(v: Long): Int {
            if (v < EXACT) return v.toInt()
            val m = 63 - java.lang.Long.numberOfLeadingZeros(v) - 6
            val sub = (v ushr m).toInt()
            return EXACT + (m - 1) * SUB_BUCKETS + (sub - SUB_BUCKETS)
        }

        fun lowerBound(i: Int): Long {
            if (i < EXACT) return i.toLong()
            val m = (i - EXACT) / SUB_BUCKETS + 1
            val sub = (i - EXACT) % SUB_BUCKETS + SUB_BUCKETS
            return sub.toLong() shl m
        }
    }
}
