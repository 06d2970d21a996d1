package io.netpoll.benchmarks;

import io.netpoll.dispatcher.NetpollDispatcher;
import kotlinx.coroutines.CoroutineDispatcher;
import kotlinx.coroutines.Dispatchers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * Issue 3's scheduler benchmarks, NetpollDispatcher against Dispatchers.Default in the same run
 * ({@code dispatcher} parameter). Both use every available processor.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar DispatcherBenchmark -f 1 -wi 2 -i 3</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class DispatcherBenchmark {
    @Param({"netpoll", "default"})
    public String dispatcher;

    private CoroutineDispatcher target;
    private NetpollDispatcher netpoll;

    @Setup
    public void setUp() {
        if (dispatcher.equals("netpoll")) {
            netpoll = new NetpollDispatcher(Runtime.getRuntime().availableProcessors(), "bench", 0L, System.err);
            target = netpoll;
        } else {
            target = Dispatchers.getDefault();
        }
    }

    @TearDown
    public void tearDown() {
        if (netpoll != null) {
            netpoll.close();
        }
    }

    @Benchmark
    public long skynet1M() {
        return DispatcherWorkloads.skynet(target, 1_000_000L);
    }

    @Benchmark
    public int pingPong100k() {
        return DispatcherWorkloads.pingPong(target, 100_000);
    }

    @Benchmark
    public long fanOutFanIn100k() {
        return DispatcherWorkloads.fanOutFanIn(target, 100_000);
    }

    @Benchmark
    public long delay1x100k() {
        return DispatcherWorkloads.delayStorm(target, 100_000);
    }
}
