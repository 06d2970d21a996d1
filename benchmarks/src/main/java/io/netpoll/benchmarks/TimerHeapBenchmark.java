package io.netpoll.benchmarks;

import io.netpoll.poller.Timer;
import io.netpoll.poller.TimerHeap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The 4-ary {@link TimerHeap} that holds socket deadlines and the dispatcher's per-P timers, at
 * {@code size} armed timers: moving a deadline (a server refreshing a read deadline per request),
 * arming and cancelling one (a deadline set then cleared), and firing a due one.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar TimerHeapBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TimerHeapBenchmark {
    @Param({"1000", "100000"})
    public int size;

    private TimerHeap heap;
    private Entry[] armed;
    private final Entry spare = new Entry();
    private final SplittableRandom random = new SplittableRandom(42);
    /** Armed timers sit far beyond {@code clock}, so only {@code spare} is ever due. */
    private static final long FAR = 1L << 60;
    private long clock;

    static final class Entry extends Timer {
        @Override
        protected void fire(long nowNanos) {
        }
    }

    @Setup(Level.Trial)
    public void setup() {
        heap = new TimerHeap();
        armed = new Entry[size];
        for (int i = 0; i < size; i++) {
            armed[i] = new Entry();
            heap.reset(armed[i], FAR + random.nextLong(1_000_000_000L));
        }
        clock = 0;
    }

    @Benchmark
    public long moveADeadline() {
        Entry t = armed[random.nextInt(size)];
        heap.reset(t, t.when() + random.nextLong(-1_000_000L, 1_000_000L));
        return t.when();
    }

    @Benchmark
    public boolean armAndCancel() {
        heap.reset(spare, FAR + random.nextLong(1_000_000_000L));
        return heap.remove(spare);
    }

    @Benchmark
    public Timer fireADueTimer() {
        heap.reset(spare, clock);
        return heap.pollDue(clock++);
    }
}
