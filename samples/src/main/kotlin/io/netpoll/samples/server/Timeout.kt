package io.netpoll.samples.server

import java.time.Instant

/**
 * A timeout of [millis], handing out the deadline it sets from now: `System.currentTimeMillis() +
 * millis` as an [Instant], the type net-kt's deadline setters take. One [Instant] per millisecond
 * instead of one per call: the last deadline handed out is kept and handed out again while the
 * clock has not moved, so a server setting a deadline per request (HTTP's idle read, every
 * reply's write) allocates nothing for the requests served in the same millisecond, which under
 * load is nearly all of them. One instance serves all of a server's connections; [last] is read
 * and written without a lock, which is safe because an [Instant] is immutable (final fields) and
 * a lost update only costs one more allocation.
 */
class Timeout(val millis: Long) {
    private var last: Instant = Instant.EPOCH

    /** The deadline [millis] from now, at millisecond resolution. hot path: no allocation within a millisecond. */
    fun deadline(): Instant {
        val at = System.currentTimeMillis() + millis
        val l = last
        if (l.toEpochMilli() == at) return l
        val d = Instant.ofEpochMilli(at)
        last = d
        return d
    }
}
