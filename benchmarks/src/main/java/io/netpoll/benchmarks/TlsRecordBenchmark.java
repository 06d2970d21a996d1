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
 * One TLS record sealed by our client, sent over loopback TCP and opened by our server, on one
 * thread ({@code tls}), against the same bytes over the plain connections under it ({@code plain}).
 * An op is one record of {@code size} bytes; with {@code -prof gc}, {@code gc.alloc.rate.norm} is
 * the bytes allocated per record (the steady state of a connection: buffers come from the pools).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar TlsRecordBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TlsRecordBenchmark {
    private static final int RECORDS = 1000;

    @Param({"tls", "plain"})
    public String transport;

    @Param({"64", "16384"})
    public int size;

    private TlsRecords records;

    @Setup
    public void setUp() {
        records = new TlsRecords(transport.equals("tls"), size);
    }

    @TearDown
    public void tearDown() {
        records.close();
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public int record() {
        return records.exchange(RECORDS);
    }
}
