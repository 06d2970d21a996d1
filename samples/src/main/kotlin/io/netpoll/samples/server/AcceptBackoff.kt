package io.netpoll.samples.server

import java.io.IOException
import java.lang.System.Logger.Level

/**
 * How long an accept loop waits after accept fails on an open listener, and what it logs: Go's
 * net/http Server.Serve for a temporary error (EMFILE, ENFILE, ENOBUFS, ...). The first failure
 * waits [FIRST_MILLIS], each further one twice as long up to [MAX_MILLIS], and an accepted
 * connection starts the next run of failures at [FIRST_MILLIS] again.
 *
 * Go logs every retry; here at most one line per [LOG_INTERVAL_NANOS] reaches [log], naming how
 * many failures it stands for, so a server flooded while out of descriptors (accept succeeding
 * whenever a connection closes, failing again at once) writes one line a second, not hundreds.
 * The first accept after a logged failure says so, within the same limit.
 *
 * Used by one accept loop at a time; [accepted] is on the accept path and costs two field reads
 * while nothing is pending.
 */
internal class AcceptBackoff(private val name: String, private val log: System.Logger) {
    private var delayMillis = 0L

    /** Failures counted but not logged since the last line. */
    private var suppressed = 0L

    /** The last line was a failure and no "accepting again" has followed it. */
    private var failing = false
    private var lastLineNanos = System.nanoTime() - LOG_INTERVAL_NANOS

    /** Accept failed with [e]: logs (or counts) it; returns how long to wait before the next accept. */
    fun failed(e: IOException): Long {
        delayMillis = if (delayMillis == 0L) FIRST_MILLIS else minOf(delayMillis * 2, MAX_MILLIS)
        if (mayLog()) {
            log.log(Level.WARNING, "$name: accept: ${e.message}; retrying in $delayMillis ms${suppressedSince()}")
            failing = true
        } else {
            suppressed++
        }
        return delayMillis
    }

    /** One of the server's connections closed: the next failure waits [FIRST_MILLIS] again. */
    fun descriptorFreed() {
        delayMillis = 0L
    }

    /** A connection was accepted: the next failure waits [FIRST_MILLIS] again. */
    fun accepted() {
        delayMillis = 0L
        if ((failing || suppressed > 0) && mayLog()) {
            log.log(Level.INFO, "$name: accept: accepting again${suppressedSince()}")
            failing = false
        }
    }

    private fun mayLog(): Boolean {
        val now = System.nanoTime()
        if (now - lastLineNanos < LOG_INTERVAL_NANOS) return false
        lastLineNanos = now
        return true
    }

    private fun suppressedSince(): String {
        val n = suppressed
        suppressed = 0
        return if (n == 0L) "" else " ($n more failures since the last line)"
    }

    companion object {
        const val FIRST_MILLIS = 5L
        const val MAX_MILLIS = 1_000L
        const val LOG_INTERVAL_NANOS = 1_000_000_000L
    }
}
