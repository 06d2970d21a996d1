package io.netpoll.benchmarks;

import io.netpoll.dispatcher.NetpollDispatcher;
import kotlin.coroutines.EmptyCoroutineContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The dispatch hot path with preallocated tasks, to check with {@code -prof gc} that dispatching
 * (global queue from outside, runnext/local queue from a worker) allocates nothing per task.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar DispatchAllocationBenchmark -f 1 -wi 2 -i 3 -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DispatchAllocationBenchmark {
    private static final int TASKS = 1000;

    private NetpollDispatcher dispatcher;
    private final AtomicLong done = new AtomicLong();
    private final Runnable count = done::incrementAndGet;
    private long expected;

    /** Re-dispatches itself from the worker {@link #TASKS} times; counts itself done last. */
    private final Runnable chain = new Runnable() {
        @Override
        public void run() {
            if (--chainLeft > 0) {
                dispatcher.dispatch(EmptyCoroutineContext.INSTANCE, this);
            }
            done.incrementAndGet();
        }
    };

    /** Written by the benchmark thread before each chain, then only by the task it publishes to. */
    private int chainLeft;

    @Setup
    public void setUp() {
        dispatcher = new NetpollDispatcher(2, "alloc", 0L, System.err);
    }

    @TearDown
    public void tearDown() {
        dispatcher.close();
    }

    @Benchmark
    public long outsideDispatch1000() {
        expected += TASKS;
        for (int i = 0; i < TASKS; i++) {
            dispatcher.dispatch(EmptyCoroutineContext.INSTANCE, count);
        }
        return awaitDone();
    }

    @Benchmark
    public long workerDispatch1000() {
        expected += TASKS;
        chainLeft = TASKS;
        dispatcher.dispatch(EmptyCoroutineContext.INSTANCE, chain);
        return awaitDone();
    }

    private long awaitDone() {
        long n;
        while ((n = done.get()) < expected) {
            Thread.onSpinWait();
        }
        return n;
    }
}
