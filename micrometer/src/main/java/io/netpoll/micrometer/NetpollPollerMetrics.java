package io.netpoll.micrometer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.netpoll.poller.Netpoll;
import io.netpoll.poller.NetpollStats;


/**
 * The process-wide poller's metrics ({@link Netpoll#stats()}) as Micrometer meters, tagged
 * {@code backend=<epoll|kqueue|iocp>}. Bind it once per registry: every dispatcher, and every
 * thread that uses the blocking or future API, shares this one poller.
 *
 * <p>Gauges: {@code netpoll.poller.netfds} (open sockets), {@code .descriptors} (registered,
 * closing ones included), {@code .waiters} (operations parked now), {@code .deadlines.armed},
 * {@code .blocked} (1 while a thread blocks in the poller). Counters: {@code netpoll.poller.polls}
 * (tagged {@code mode=blocking|nonblocking}), {@code .events}, {@code .parks},
 * {@code .deadlines.expired}, {@code .wakeups} (kernel writes that broke a blocked poll).
 */
public final class NetpollPollerMetrics implements MeterBinder {
    private final Netpoll netpoll;
    private final Tags tags;

    public NetpollPollerMetrics() {
        this(Tags.empty());
    }

    /** With {@code extraTags} added to every meter, beside {@code backend}. */
    public NetpollPollerMetrics(Iterable<Tag> extraTags) {
        this.netpoll = Netpoll.get();
        this.tags = Tags.concat(extraTags, "backend", netpoll.stats().backend());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Meters<Netpoll, NetpollStats> m = new Meters<>(registry, netpoll, Netpoll::stats, tags);
        m.gauge("netpoll.poller.netfds", "Open sockets: registered and not yet closed by their owner", NetpollStats::netFDs);
        m.gauge("netpoll.poller.descriptors", "Registered descriptors, closing ones included", NetpollStats::descriptors);
        m.gauge("netpoll.poller.waiters", "I/O operations parked on a descriptor", NetpollStats::waiters);
        m.gauge("netpoll.poller.deadlines.armed", "Armed socket deadline timers", NetpollStats::deadlines);
        m.gauge("netpoll.poller.blocked", "1 while a thread is blocked in the poller", s -> s.pollerBlocked() ? 1 : 0);

        m.counter("netpoll.poller.polls", "Polls of the kernel", tags.and("mode", "blocking"), NetpollStats::blockingPolls);
        m.counter("netpoll.poller.polls", "Polls of the kernel", tags.and("mode", "nonblocking"), NetpollStats::nonBlockingPolls);
        m.counter("netpoll.poller.events", "Readiness events handled", NetpollStats::events);
        m.counter("netpoll.poller.parks", "Times an I/O operation parked on a descriptor", NetpollStats::parks);
        m.counter("netpoll.poller.deadlines.expired", "Socket deadlines that came due", NetpollStats::deadlinesExpired);
        m.counter("netpoll.poller.wakeups", "Kernel writes made to break a blocked poll", NetpollStats::wakeupWrites);
    }
}
