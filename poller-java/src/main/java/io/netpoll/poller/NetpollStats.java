package io.netpoll.poller;

/**
 * A snapshot of {@link Netpoll}'s counters.
 *
 * @param backend          backend name
 * @param netFDs           open NetFDs: descriptors registered and not yet closed by their owner
 *                         (one atomic add at open and at close, nothing per operation)
 * @param descriptors      registered descriptors (PollDescs in use), including closed ones whose
 *                         last operation in flight has not yet left
 * @param waiters          callers parked on a descriptor
 * @param deadlines        armed deadline timers
 * @param nonBlockingPolls polls that did not wait
 * @param blockingPolls    polls that could wait
 * @param events           readiness events handled
 * @param wakeupWrites     kernel writes made to break a blocked poll
 * @param drivers          schedulers attached as drivers
 * @param driverThread     whether the fallback driver thread has been started
 */
public record NetpollStats(String backend, int netFDs, int descriptors, int waiters, int deadlines, long nonBlockingPolls,
                           long blockingPolls, long events, long wakeupWrites, int drivers,
                           boolean driverThread) {
}
