package io.netpoll.benchmarks;

import io.netpoll.poller.Netpoll;
import io.netpoll.poller.ReadySink;
import io.netpoll.poller.epoll.EpollPoller;
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
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * {@code epoll_wait} with a zero timeout: the raw backend call and the full {@link Netpoll#poll}
 * path (role CAS, counters, sink) that a scheduler's {@code netpoll(0)} takes.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar PollBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PollBenchmark {
    private EpollPoller epoll;
    private final ReadySink ignore = (token, events) -> { };

    @Setup(Level.Trial)
    public void setup() throws IOException {
        epoll = new EpollPoller();
        Netpoll.get();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        epoll.close();
    }

    @Benchmark
    public int epollWaitZero() {
        return epoll.poll(0, false, ignore);
    }

    @Benchmark
    public int netpollPollZero() {
        return Netpoll.get().poll(0);
    }
}
