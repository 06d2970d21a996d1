package io.netpoll.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.netpoll.dispatcher.NetpollDispatcher;
import io.netpoll.dispatcher.SchedStats;

import java.util.function.ToDoubleFunction;

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
        gauge(registry, "netpoll.scheduler.procs", "Ps: tasks that can run at once (Go's GOMAXPROCS)", SchedStats::getParallelism);
        gauge(registry, "netpoll.scheduler.procs.idle", "Ps in the idle list", SchedStats::getIdleProcs);
        gauge(registry, "netpoll.scheduler.threads", "Worker threads started and not exited", SchedStats::getThreads);
        gauge(registry, "netpoll.scheduler.threads.idle", "Workers parked without a P", SchedStats::getIdleThreads);
        gauge(registry, "netpoll.scheduler.threads.spinning", "Workers looking for work to steal", SchedStats::getSpinningThreads);
        gauge(registry, "netpoll.scheduler.blocking.sections", "Workers inside a blocking section", SchedStats::getBlockingSections);
        gauge(registry, "netpoll.scheduler.runqueue.global", "Tasks in the global run queue", SchedStats::getGlobalQueue);
        for (int i = 0; i < dispatcher.getParallelism(); i++) {
            int p = i;
            Gauge.builder("netpoll.scheduler.runqueue.local", dispatcher, d -> d.stats().getLocalQueues().get(p))
                    .description("Tasks queued on one P, runnext included")
                    .tags(tags).tag("p", Integer.toString(p))
                    .register(registry);
        }
        gauge(registry, "netpoll.scheduler.timers", "Armed timers over all Ps", SchedStats::getTimers);

        counter(registry, "netpoll.scheduler.tasks", "Tasks run", SchedStats::getTasksRun);
        counter(registry, "netpoll.scheduler.steals", "Successful steals from another P's queue", SchedStats::getSteals);
        counter(registry, "netpoll.scheduler.parks", "Times a worker parked without a P", SchedStats::getParks);
        counter(registry, "netpoll.scheduler.poll.waits", "Times a worker blocked in the poller", SchedStats::getPollWaits);
        counter(registry, "netpoll.scheduler.poll.events", "Readiness events this dispatcher's threads handled", SchedStats::getPollEvents);
        counter(registry, "netpoll.scheduler.long.task.wakeups", "Times sysmon woke a worker for a P held up by a long task",
                SchedStats::getLongTaskWakeups);
        counter(registry, "netpoll.scheduler.blocking.handoffs", "Ps handed off by blocking sections", SchedStats::getBlockingHandoffs);
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<SchedStats> value) {
        Gauge.builder(name, dispatcher, d -> value.applyAsDouble(d.stats())).description(description).tags(tags).register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description, ToDoubleFunction<SchedStats> value) {
        FunctionCounter.builder(name, dispatcher, d -> value.applyAsDouble(d.stats())).description(description).tags(tags)
                .register(registry);
    }
}
