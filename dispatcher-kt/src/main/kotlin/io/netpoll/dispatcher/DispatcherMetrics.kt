package io.netpoll.dispatcher

import io.netpoll.poller.NetpollStats

/**
 * A snapshot of one dispatcher's metrics ([NetpollDispatcher.metrics]): its scheduler's counters
 * and the state of the process-wide poller that every dispatcher shares. Immutable; taking one
 * costs a short lock on the scheduler and a few atomic reads, nothing on the paths it counts.
 *
 * @property dispatcher the dispatcher's name
 * @property scheduler the dispatcher's Ps, queues, workers and counters
 * @property poller the poller's descriptors, waiters, deadlines and polls (shared by all dispatchers)
 */
data class DispatcherMetrics(
    val dispatcher: String,
    val scheduler: SchedStats,
    val poller: NetpollStats,
)
