package io.netpoll.samples.java;

import io.netpoll.poller.Netpoll;
import io.netpoll.poller.NetpollStats;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Java sample's protocol: a line-based key/value lookup service, one request line in, one
 * reply line out (no I/O here, so both servers share it and tests can call it directly).
 *
 * <pre>
 * PING            → PONG
 * SET key value   → OK            (value = the rest of the line)
 * GET key         → VALUE value   | NOT_FOUND
 * DEL key         → DELETED 1|0
 * STATS           → STATS mode=… connections=N netpoll_id=… netpoll_descriptors=N netpoll_events=N
 * QUIT            → BYE           (then the server closes the connection)
 * anything else   → ERROR unknown command 'X'
 * </pre>
 *
 * {@code netpoll_id} identifies the process's one {@link Netpoll}: the Kotlin RESP server's INFO
 * reports the same id when both run in one JVM ({@code mixed}).
 */
public final class LineCommands {
    /** Longest accepted request line in bytes; longer ones get {@code ERROR line too long} and a close. */
    public static final int MAX_LINE_BYTES = 4096;

    private final ConcurrentHashMap<String, String> values = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final String mode;

    public LineCommands(String mode) {
        this.mode = mode;
    }

    /** The reply line (without newline) to {@code line} (without its newline). */
    public String handle(String line) {
        String trimmed = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        String[] words = trimmed.split(" ", 3);
        String cmd = words[0].toUpperCase(java.util.Locale.ROOT);
        switch (cmd) {
            case "PING":
                return "PONG";
            case "SET":
                if (words.length < 3) {
                    return "ERROR usage: SET key value";
                }
                values.put(words[1], words[2]);
                return "OK";
            case "GET":
                if (words.length != 2) {
                    return "ERROR usage: GET key";
                }
                String v = values.get(words[1]);
                return v == null ? "NOT_FOUND" : "VALUE " + v;
            case "DEL":
                if (words.length != 2) {
                    return "ERROR usage: DEL key";
                }
                return values.remove(words[1]) != null ? "DELETED 1" : "DELETED 0";
            case "STATS":
                return "STATS " + stats();
            case "QUIT":
                return "BYE";
            default:
                return "ERROR unknown command '" + words[0] + "'";
        }
    }

    /** Whether the connection closes after replying to {@code line}. */
    public static boolean isQuit(String line) {
        return line.trim().equalsIgnoreCase("QUIT");
    }

    /** {@code key=value} pairs: this service's mode and connections, and the shared Netpoll's counters. */
    public String stats() {
        Netpoll np = Netpoll.get();
        NetpollStats s = np.stats();
        return "mode=" + mode + " connections=" + connections.get()
                + " netpoll_id=" + Integer.toHexString(System.identityHashCode(np))
                + " netpoll_descriptors=" + s.descriptors() + " netpoll_events=" + s.events();
    }

    public int connections() {
        return connections.get();
    }

    void connected() {
        connections.incrementAndGet();
    }

    void disconnected() {
        connections.decrementAndGet();
    }
}
