package io.netpoll.benchmarks;

import io.netpoll.poller.fd.NetFD;
import io.netpoll.poller.sys.Sys;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * A server's per-request deadline: each thread moves its own connection's read deadline later,
 * as an HTTP server does before every request (Go's SetReadDeadline per request). One thread
 * (uncontended) and two (two connections on two cores, which share the process's timer heap).
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar DeadlineBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DeadlineBenchmark {
    private static final long TEN_SECONDS = TimeUnit.SECONDS.toNanos(10);
    private NetFD[] pair;

    @Setup(Level.Trial)
    public void open() throws IOException {
        pair = NetFD.socketPair(Sys.SOCK_STREAM);
        pair[0].setReadDeadline(System.nanoTime() + TEN_SECONDS);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        pair[0].close();
        pair[1].close();
    }

    @Benchmark
    public void moveLater() throws IOException {
        pair[0].setReadDeadline(System.nanoTime() + TEN_SECONDS);
    }

    @Benchmark
    @Threads(2)
    public void moveLaterTwoThreads() throws IOException {
        pair[0].setReadDeadline(System.nanoTime() + TEN_SECONDS);
    }
}
