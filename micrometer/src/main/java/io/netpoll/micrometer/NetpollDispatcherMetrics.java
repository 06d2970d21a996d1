package io.netpoll.micrometer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.netpoll.dispatcher.NetpollDispatcher;
import io.netpoll.dispatcher.SchedStats;


/**
 * A {@link NetpollDispatcher}'s scheduler metrics ({@link NetpollDispatcher#stats()}) as Micrometer
 * meters, tagged {@code dispatcher=<name>}: gauges for its current state, function counters for
 * its cumulative counts. Each meter reads a fresh snapshot when the registry reads it, so binding
 * costs the dispatcher nothing between scrapes.
 *
 * <p>Gauges: {@code netpoll.scheduler.procs}, {@code .procs.idle}, {@code .threads},
 * {@code .threads.idle}, {@code .threads.spinning}, {@code .blocking.sections},
 * {@code .runqueue.global}, {@code .runqueue.local} (one per P, tagged {@code p}), {@code .timers}.
 * Counters: {@code netpoll.scheduler.tasks}, {@code .steals}, {@code .parks}, {@code .poll.waits},
 * {@code .poll.events}, {@code .long.task.wakeups}, {@code .blocking.handoffs}.
 *
 * <p>The process-wide poller's meters come from {@link NetpollPollerMetrics}, bound once.
 */
public final class NetpollDispatcherMetrics implements MeterBinder {
    private final NetpollDispatcher dispatcher;
    private final Tags tags;

    public NetpollDispatcherMetrics(NetpollDispatcher dispatcher) {
        this(dispatcher, Tags.empty());
    }

    /** With {@code extraTags} added to every meter, beside {@code dispatcher}. */
    public NetpollDispatcherMetrics(NetpollDispatcher dispatcher, Iterable<Tag> extraTags) {
        this.dispatcher = dispatcher;
        this.tags = Tags.concat(extraTags, "dispatcher", dispatcher.getName());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Meters<NetpollDispatcher, SchedStats> m = new Meters<>(registry, dispatcher, NetpollDispatcher::stats, tags);
        m.gauge("netpoll.scheduler.procs", "Ps: tasks that can run at once (Go's GOMAXPROCS)", SchedStats::getParallelism);
        m.gauge("netpoll.scheduler.procs.idle", "Ps in the idle list", SchedStats::getIdleProcs);
        m.gauge("netpoll.scheduler.threads", "Worker threads started and not exited", SchedStats::getThreads);
        m.gauge("netpoll.scheduler.threads.idle", "Workers parked without a P", SchedStats::getIdleThreads);
        m.gauge("netpoll.scheduler.threads.spinning", "Workers looking for work to steal", SchedStats::getSpinningThreads);
        m.gauge("netpoll.scheduler.blocking.sections", "Workers inside a blocking section", SchedStats::getBlockingSections);
        m.gauge("netpoll.scheduler.runqueue.global", "Tasks in the global run queue", SchedStats::getGlobalQueue);
        for (int i = 0; i < dispatcher.getParallelism(); i++) {
            int p = i;
            new Meters<>(registry, dispatcher, NetpollDispatcher::stats, tags.and("p", Integer.toString(p)))
                    .gauge("netpoll.scheduler.runqueue.local", "Tasks queued on one P, runnext included", s -> s.getLocalQueues().get(p));
        }
        m.gauge("netpoll.scheduler.timers", "Armed timers over all Ps", SchedStats::getTimers);

        m.counter("netpoll.scheduler.tasks", "Tasks run", SchedStats::getTasksRun);
        m.counter("netpoll.scheduler.steals", "Successful steals from another P's queue", SchedStats::getSteals);
        m.counter("netpoll.scheduler.parks", "Times a worker parked without a P", SchedStats::getParks);
        m.counter("netpoll.scheduler.poll.waits", "Times a worker blocked in the poller", SchedStats::getPollWaits);
        m.counter("netpoll.scheduler.poll.events", "Readiness events this dispatcher's threads handled", SchedStats::getPollEvents);
        m.counter("netpoll.scheduler.long.task.wakeups", "Times sysmon woke a worker for a P held up by a long task",
                SchedStats::getLongTaskWakeups);
        m.counter("netpoll.scheduler.blocking.handoffs", "Ps handed off by blocking sections", SchedStats::getBlockingHandoffs);
    }
}
