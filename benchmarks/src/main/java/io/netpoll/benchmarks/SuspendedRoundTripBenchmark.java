package io.netpoll.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The cost of parking: 64-byte round trips over loopback TCP in which every read suspends (or
 * blocks) before its data arrives, so each op is two parks and two wakes through the poller.
 * {@code coroutine}: both ends on a one-P NetpollDispatcher; {@code thread}: both ends in the
 * blocking calls on threads. With {@code -prof gc}, {@code gc.alloc.rate.norm} is the bytes
 * allocated per round trip by every thread (the waiters, frames and continuations of the waits).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar SuspendedRoundTripBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SuspendedRoundTripBenchmark {
    private static final int ROUND_TRIPS = 1000;

    @Param({"coroutine", "thread"})
    public String caller;

    private SuspendedRoundTrips trips;

    @Setup
    public void setUp() {
        trips = new SuspendedRoundTrips(caller.equals("coroutine"), 64);
    }

    @TearDown
    public void tearDown() {
        trips.close();
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public int roundTrip() {
        return trips.exchange(ROUND_TRIPS);
    }
}
