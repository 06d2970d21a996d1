package io.netpoll.samples.server

/**
 * A timeout of [millis], handing out the deadline it sets from now as a [System.nanoTime] value,
 * the form net-kt's `set…DeadlineNanos` setters take: a server setting a deadline per request
 * (HTTP's idle read, every reply's write) allocates nothing for it and reads no wall clock.
 * [NO_DEADLINE] stands for none.
 */
class Timeout(val millis: Long) {
    private val nanos = millis * 1_000_000

    /** The deadline [millis] from now. hot path: no allocation */
    fun deadline(): Long = System.nanoTime() + nanos

    companion object {
        /** No deadline, where a nanoTime deadline is expected. */
        const val NO_DEADLINE = Long.MIN_VALUE

        /** [millis] from now as a nanoTime deadline. */
        fun after(millis: Long): Long = System.nanoTime() + millis * 1_000_000
    }
}
