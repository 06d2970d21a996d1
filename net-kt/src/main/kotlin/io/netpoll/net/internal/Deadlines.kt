package io.netpoll.net.internal

import java.time.Duration
import java.time.Instant

/**
 * Wall-clock deadlines ([Instant], as Go's time.Time) to the poller's [System.nanoTime] clock.
 * The conversion happens once, when the deadline is set; a deadline is absolute from then on, so
 * a wall-clock jump afterwards does not move it (Go's deadlines are monotonic too).
 */
internal object Deadlines {
    /** Far enough to mean "never" and near enough that nanoTime arithmetic cannot overflow. */
    const val maxDeltaNanos = Long.MAX_VALUE / 4

    fun nanoTimeOf(deadline: Instant): Long {
        val nowNanos = System.nanoTime()
        val delta = Duration.between(Instant.now(), deadline)
        val deltaNanos = if (delta.seconds > maxDeltaNanos / 1_000_000_000L) maxDeltaNanos
        else if (delta.seconds < -maxDeltaNanos / 1_000_000_000L) -maxDeltaNanos
        else delta.toNanos()
        return nowNanos + deltaNanos
    }

    /** [timeout] from now as a nanoTime value, clamped like [nanoTimeOf]; allocates nothing. */
    fun nanoTimeAfter(timeout: kotlin.time.Duration): Long =
        System.nanoTime() + timeout.inWholeNanoseconds.coerceIn(-maxDeltaNanos, maxDeltaNanos)
}
