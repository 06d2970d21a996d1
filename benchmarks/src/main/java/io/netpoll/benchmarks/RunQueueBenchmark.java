package io.netpoll.benchmarks;

import io.netpoll.dispatcher.GlobalRunQueue;
import io.netpoll.dispatcher.LocalRunQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * dispatcher-kt's per-P run queue alone (Go's runqput, runqget, runqsteal), without the
 * scheduler around it: what one put, one get and one stolen task cost, uncontended and with a
 * thief stealing while the owner puts. Every operation should allocate nothing ({@code -prof gc}).
 *
 * <p>{@code LocalRunQueue} is {@code internal} to Kotlin callers; Java sees it as public, which
 * is what lets this benchmark measure the queue on its own.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar RunQueueBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RunQueueBenchmark {
    private static final Runnable TASK = () -> { };
    private static final int BATCH = 128;

    /** One owner's queue, used by one thread. */
    @State(Scope.Thread)
    public static class Owned {
        final LocalRunQueue queue = new LocalRunQueue(new GlobalRunQueue(new Object()));
        final LocalRunQueue thief = new LocalRunQueue(new GlobalRunQueue(new Object()));
    }

    /** runqput to the tail, then runqget from the head. */
    @Benchmark
    public Runnable putPoll(Owned s) {
        s.queue.put(TASK, false);
        return s.queue.poll();
    }

    /** runqput into runnext (the old runnext moves to the tail), then both taken back. */
    @Benchmark
    public Runnable putRunnextPoll(Owned s) {
        s.queue.put(TASK, true);
        s.queue.put(TASK, true);
        s.queue.poll();
        return s.queue.takeRunnext();
    }

    /** A thief takes half of a 128-task queue in one runqsteal; per task, both halves drained. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int stealHalf(Owned s) {
        for (int i = 0; i < BATCH; i++) {
            s.queue.put(TASK, false);
        }
        int n = s.thief.stealFrom(s.queue, false) != null ? 1 : 0;
        while (s.thief.poll() != null) {
            n++;
        }
        while (s.queue.poll() != null) {
            n++;
        }
        return n;
    }

    /** A queue shared by an owner thread and a thief thread. */
    @State(Scope.Group)
    public static class Shared {
        final LocalRunQueue victim = new LocalRunQueue(new GlobalRunQueue(new Object()));
    }

    /** The thief's own queue (only the thief thread appends to it). */
    @State(Scope.Thread)
    public static class ThiefQueue {
        LocalRunQueue own;

        @Setup
        public void setUp() {
            own = new LocalRunQueue(new GlobalRunQueue(new Object()));
        }
    }

    /** Owner: put one task; keep the queue under half full by taking from the head itself. */
    @Benchmark
    @Group("contended")
    @GroupThreads(1)
    public Runnable owner(Shared s) {
        s.victim.put(TASK, false);
        return s.victim.size() > BATCH ? s.victim.poll() : null;
    }

    /** Thief: one runqsteal attempt, then run (drain) what it took. */
    @Benchmark
    @Group("contended")
    @GroupThreads(1)
    public int thief(Shared s, ThiefQueue t) {
        int n = t.own.stealFrom(s.victim, false) != null ? 1 : 0;
        while (t.own.poll() != null) {
            n++;
        }
        return n;
    }
}
