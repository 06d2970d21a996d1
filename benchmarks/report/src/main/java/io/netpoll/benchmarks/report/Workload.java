package io.netpoll.benchmarks.report;

import java.util.Arrays;
import java.util.Optional;

/**
 * The harness's workloads, in report order, each with the case its latency chart shows; the idle
 * ones report memory and CPU per held connection instead of load figures, and fairness the light
 * connection's latency quantiles (no charts).
 */
enum Workload {
    resp("resp", "RESP, redis-benchmark -c 50", "GET"),
    respPipelined("resp-p16", "RESP, redis-benchmark -c 50 -P 16", "GET"),
    http("http", "HTTP plaintext, wrk -t1 --latency", "c=256"),
    https("https", "HTTPS keep-alive (TLS 1.3, P-256), wrk -t1 --latency", "c=256"),
    tlsHandshake("tls-handshake", "TLS handshakes (full, TLS 1.3, P-256; one request per connection), Go tls-handshakes",
            "c=50"),
    echo("echo", "Echo round trips, Go echo-client", "conns=100 size=64"),
    fairness("fairness", "Fairness: a 64-byte echo round trip every 10 ms beside two connections streaming both ways, "
            + "Go fairness-client", ""),
    idle("idle", "Idle connections", ""),
    idleTls("idle-tls", "Idle TLS connections (after a handshake and one HTTPS request)", "");

    final String id;
    final String title;
    final String latencyCase;

    Workload(String id, String title, String latencyCase) {
        this.id = id;
        this.title = title;
        this.latencyCase = latencyCase;
    }

    /** Drawn as throughput and latency charts (req/s and p99 of its cases). */
    boolean isCharted() {
        return !isIdle() && this != fairness;
    }

    boolean isIdle() {
        return this == idle || this == idleTls;
    }

    static Optional<Workload> byId(String id) {
        return Arrays.stream(values()).filter(w -> w.id.equals(id)).findFirst();
    }
}
