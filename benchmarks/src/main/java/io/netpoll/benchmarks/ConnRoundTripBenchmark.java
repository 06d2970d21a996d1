package io.netpoll.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import java.util.concurrent.TimeUnit;

/**
 * {@link RoundTripBenchmark}'s 64-byte write + read one level up: through net-kt's suspending
 * {@code Conn.write} / {@code Conn.read} over loopback TCP, in one coroutine, the data always
 * there (no call suspends). Measures what net-kt adds to the syscalls on its fast path, and with
 * {@code -prof gc} that the path allocates nothing per operation.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar ConnRoundTripBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ConnRoundTripBenchmark {
    private static final int ROUNDS = 1000;

    private ConnRoundTrips workload;

    @Setup
    public void setup() {
        workload = new ConnRoundTrips(64);
    }

    @TearDown
    public void tearDown() {
        workload.close();
    }

    @Benchmark
    @OperationsPerInvocation(ROUNDS)
    public long roundTrip() {
        return workload.run(ROUNDS);
    }
}
