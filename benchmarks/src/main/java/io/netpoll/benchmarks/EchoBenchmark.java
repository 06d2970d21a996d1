package io.netpoll.benchmarks;

import io.netpoll.dispatcher.NetpollDispatcher;
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
 * Issue 4's echo benchmark: loopback TCP round trips through net-kt on NetpollDispatcher
 * ({@code netpoll}), the same net-kt code on Dispatchers.Default ({@code default}), and plain
 * blocking java.nio SocketChannels on threads ({@code nio}). One op is one round: each of
 * {@code connections} connections sends a {@code size}-byte message and reads the echo back.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar EchoBenchmark -f 1 -wi 3 -i 5 -w 1 -r 2</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EchoBenchmark {
    @Param({"netpoll", "default", "nio"})
    public String transport;

    @Param({"64", "4096"})
    public int size;

    @Param({"1", "100"})
    public int connections;

    private EchoWorkload workload;
    private NetpollDispatcher netpoll;

    @Setup
    public void setUp() throws Exception {
        switch (transport) {
            case "netpoll":
                netpoll = new NetpollDispatcher(Runtime.getRuntime().availableProcessors(), "bench", 0L, System.err);
                workload = new NetKtEcho(netpoll, connections, size);
                break;
            case "default":
                workload = new NetKtEcho(Dispatchers.getDefault(), connections, size);
                break;
            default:
                workload = new NioEcho(connections, size);
        }
    }

    @TearDown
    public void tearDown() throws Exception {
        workload.close();
        if (netpoll != null) {
            netpoll.close();
        }
    }

    @Benchmark
    public int roundTrip() {
        return workload.round();
    }
}
