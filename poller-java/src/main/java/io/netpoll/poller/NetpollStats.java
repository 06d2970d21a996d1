package io.netpoll.poller;

/**
 * A snapshot of {@link Netpoll}'s counters (read field by field, so each value was true at some
 * moment during the snapshot, not necessarily all at the same one). Counting costs the hot paths
 * nothing they did not already do: the waiter and park counts share one atomic add per park, the
 * poll counts are written by the one thread that holds each polling role.
 *
 * @param backend          backend name
 * @param netFDs           open NetFDs: descriptors registered and not yet closed by their owner
 *                         (one atomic add at open and at close, nothing per operation)
 * @param descriptors      registered descriptors (PollDescs in use), including closed ones whose
 *                         last operation in flight has not yet left
 * @param waiters          callers parked on a descriptor now
 * @param parks            times a caller parked on a descriptor, in all
 * @param deadlines        armed deadline timers
 * @param deadlinesExpired read or write deadlines that came due, in all
 * @param nonBlockingPolls polls that did not wait
 * @param blockingPolls    polls that could wait
 * @param events           readiness events handled
 * @param pollerBlocked    whether a thread is blocked in the poller now
 * @param wakeupWrites     kernel writes made to break a blocked poll
 * @param drivers          schedulers attached as drivers
 * @param driverThread     whether the fallback driver thread has been started
 */
public record NetpollStats(String backend, int netFDs, int descriptors, int waiters, long parks, int deadlines,
                           long deadlinesExpired, long nonBlockingPolls, long blockingPolls, long events,
                           boolean pollerBlocked, long wakeupWrites, int drivers, boolean driverThread) {
}
