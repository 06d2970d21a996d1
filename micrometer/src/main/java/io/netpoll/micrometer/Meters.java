package io.netpoll.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Registers meters that read one field of a fresh snapshot ({@code S}) of a source ({@code O}, a
 * dispatcher or the Netpoll) each time the registry reads them: the one way both binders make a
 * gauge or a function counter.
 */
final class Meters<O, S> {
    private final MeterRegistry registry;
    private final O source;
    private final Function<O, S> snapshot;
    private final Tags tags;

    Meters(MeterRegistry registry, O source, Function<O, S> snapshot, Tags tags) {
        this.registry = registry;
        this.source = source;
        this.snapshot = snapshot;
        this.tags = tags;
    }

    /** A level that goes up and down. */
    void gauge(String name, String description, ToDoubleFunction<S> value) {
        Gauge.builder(name, source, o -> value.applyAsDouble(snapshot.apply(o))).description(description).tags(tags).register(registry);
    }

    /** A count that only grows, kept by the source. */
    void counter(String name, String description, ToDoubleFunction<S> value) {
        counter(name, description, tags, value);
    }

    /** {@link #counter(String, String, ToDoubleFunction)} with these tags instead of the binder's. */
    void counter(String name, String description, Tags tags, ToDoubleFunction<S> value) {
        FunctionCounter.builder(name, source, o -> value.applyAsDouble(snapshot.apply(o))).description(description).tags(tags)
                .register(registry);
    }
}
