package io.netpoll.testing;

import io.netpoll.poller.Netpoll;
import io.netpoll.poller.NetpollStats;

import java.io.File;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a test class leaves behind in the shared {@link Netpoll}: NetFDs still open and PollDescs
 * still registered (schedulers still attached as drivers are named too, but do not fail the class:
 * the shared Dispatchers.Netpoll stays attached for the JVM's life once some class started it). {@link #before} records the counts when a class
 * starts; {@link #leaks} compares when it ends, waiting up to 5 s ({@link #settleNanos}) for counts above
 * the baseline to come down (closes finish when the last operation in flight leaves, servers drain
 * their connections asynchronously), and describes what is still above it. Counts below the
 * baseline are not leaks: a class may close what an earlier one left.
 *
 * <p>The engines' adapters (JUnit's {@link LeakDetector}, net-kt's Kotest extension) fail the
 * class with that description. Classes run one after another in each module's test JVM, so the
 * difference belongs to the class that just ran.
 */
public final class LeakCheck {
    /** How long counts may take to come back down: 5 s, or system property {@code netpoll.leakCheck.settleMillis}. */
    private static long settleNanos() {
        return TimeUnit.MILLISECONDS.toNanos(Long.getLong("netpoll.leakCheck.settleMillis", 5_000));
    }

    private static final VarHandle INSTANCE;

    static {
        try {
            INSTANCE = MethodHandles.privateLookupIn(Netpoll.class, MethodHandles.lookup())
                    .findStaticVarHandle(Netpoll.class, "instance", Netpoll.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final NetpollStats stats;
    private final Map<String, String> fds;

    private LeakCheck(NetpollStats stats, Map<String, String> fds) {
        this.stats = stats;
        this.fds = fds;
    }

    /** The counts now, before a class runs. */
    public static LeakCheck before() {
        return new LeakCheck(stats(), openFds());
    }

    /** Whether {@code testClass} opted out with {@link AllowsOpenDescriptors}. */
    public static boolean exempt(Class<?> testClass) {
        return testClass.isAnnotationPresent(AllowsOpenDescriptors.class);
    }

    /**
     * Null if nothing is above the baseline (at once or within the settle time), otherwise what
     * {@code owner} left behind.
     */
    public String leaks(String owner) {
        long settle = settleNanos();
        long start = System.nanoTime();
        long end = start + settle;
        NetpollStats now;
        for (boolean waited = false; ; waited = true) {
            now = stats();
            if (!above(now)) {
                if (waited) {
                    System.out.println("LeakCheck: " + owner + " closed everything "
                            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms after it ended");
                }
                return null;
            }
            if (System.nanoTime() - end > 0) {
                break;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<String> what = new ArrayList<>();
        count(what, "NetFD", "open", stats.netFDs(), now.netFDs());
        count(what, "PollDesc", "registered", stats.descriptors(), now.descriptors());
        // Reported, not failed on: the shared Dispatchers.Netpoll stays attached for the JVM's life,
        // so the class that first uses it would be blamed.
        count(what, "driver", "attached", stats.drivers(), now.drivers());
        StringBuilder m = new StringBuilder(owner).append(" leaked ").append(String.join(", ", what))
                .append(" (still there ").append(TimeUnit.NANOSECONDS.toMillis(settle)).append(" ms after it ended)");
        List<String> opened = newFds();
        if (!opened.isEmpty()) {
            m.append("; descriptors opened meanwhile: ").append(String.join(", ", opened));
        }
        return m.append(". Close them in the class, or mark it @AllowsOpenDescriptors(\"why\").").toString();
    }

    /**
     * The shared Netpoll's counters, without starting it: a class that selects a backend before
     * its first use (the kqueue binding tests) must find it not started, so this reads Netpoll's
     * instance field instead of calling {@link Netpoll#get}. Not started: all zero.
     */
    private static NetpollStats stats() {
        Netpoll np = (Netpoll) INSTANCE.getVolatile();
        return np != null ? np.stats() : new NetpollStats("none", 0, 0, 0, 0, 0, 0, 0, 0, 0, false, 0, 0, false);
    }

    private boolean above(NetpollStats now) {
        return now.netFDs() > stats.netFDs() || now.descriptors() > stats.descriptors();
    }

    private static void count(List<String> what, String noun, String state, int before, int after) {
        if (after > before) {
            int n = after - before;
            what.add(n + " " + noun + (n == 1 ? "" : "s") + " " + state + " (" + before + " before, " + after + " after)");
        }
    }

    /** The process's descriptors opened since {@link #before}, as fd → what (Linux; empty elsewhere). */
    private List<String> newFds() {
        List<String> out = new ArrayList<>();
        openFds().forEach((fd, what) -> {
            if (!what.equals(fds.get(fd))) {
                out.add(fd + " → " + what);
            }
        });
        out.sort(null);
        return out;
    }

    private static Map<String, String> openFds() {
        String[] names = new File("/proc/self/fd").list();
        Map<String, String> out = new HashMap<>();
        if (names != null) {
            for (String fd : names) {
                try {
                    out.put(fd, Files.readSymbolicLink(Path.of("/proc/self/fd", fd)).toString());
                } catch (IOException | UnsupportedOperationException gone) {
                    // closed while listing
                }
            }
        }
        return out;
    }
}
