package io.netpoll.poller.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;
import jdk.jfr.Timespan;

/**
 * One call of the backend's poll by {@link io.netpoll.poller.Netpoll}: how long it took, how long
 * it was allowed to wait, and how many readiness events it returned. Recorded for polls of 1 ms or
 * more by default; a threshold of 0 records every poll (non-blocking ones included).
 */
@Name("io.netpoll.Poll")
@Category("netpoll")
@Label("Poll")
@Description("The network poller asked the kernel for readiness events (epoll_wait, kevent, GetQueuedCompletionStatusEx)")
@StackTrace(false)
@Threshold("1 ms")
public final class PollEvent extends jdk.jfr.Event {
    @Label("Backend")
    @Description("The poller backend: epoll, kqueue or iocp")
    String backend;

    @Label("Blocking")
    @Description("Whether the poll could wait (false: it only collected what was ready)")
    boolean blocking;

    @Label("Timeout")
    @Description("How long the poll was allowed to wait; negative: until an event or a wakeup")
    @Timespan(Timespan.NANOSECONDS)
    long timeout;

    @Label("Events")
    @Description("Readiness events the poll returned")
    int events;

    /** A poll about to start; call {@link #finish} when it returns. Only while {@link PollerEvents#poll} is on. */
    public static PollEvent start() {
        PollEvent e = new PollEvent();
        e.begin();
        return e;
    }

    /** The poll returned {@code events} events. */
    public void finish(String backend, boolean blocking, long timeoutNanos, int events) {
        end();
        if (shouldCommit()) {
            this.backend = backend;
            this.blocking = blocking;
            this.timeout = timeoutNanos;
            this.events = events;
            commit();
        }
    }
}
