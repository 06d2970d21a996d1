package io.netpoll.benchmarks.report;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The targets for netpoll-jvm (on Dispatchers.Netpoll), checked against the medians of
 * the same run. A target whose figures are missing is "not measured", never "met"; the targets
 * of a workload the run did not include at all are left out.
 */
final class Targets {
    /** "No busy polling" made measurable: at most this share of one core while connections sit idle. */
    static final double idleCoreShareLimit = 0.01;

    enum Verdict { met, missed, notMeasured }

    record Check(String target, String netpoll, String reference, Verdict verdict) {}

    private enum Relation { atLeast, atMost, below }

    private final Measurements m;
    private final List<Check> checks = new ArrayList<>();

    private Targets(Measurements m) {
        this.m = m;
    }

    static List<Check> evaluate(Measurements m) {
        Targets t = new Targets(m);
        for (Workload resp : List.of(Workload.resp, Workload.respPipelined)) {
            String name = resp == Workload.resp ? "RESP GET -c 50" : "RESP GET -c 50 -P 16";
            t.compare(name + ": server CPU per request ≤ 0.9× Go's", resp, "GET", Sample::cpuSecondsPer100k, " CPU s/100k", Relation.atMost, 0.9, Server.go);
            t.compare(name + ": server CPU per request ≤ 1.05× redis-server's", resp, "GET", Sample::cpuSecondsPer100k, " CPU s/100k", Relation.atMost, 1.05, Server.redis);
            t.compare(name + ": req/s ≥ 0.95× redis-server's", resp, "GET", Sample::rps, " req/s", Relation.atLeast, 0.95, Server.redis);
        }
        for (String c : List.of("c=50", "c=256")) {
            t.compare("HTTP " + c + ": req/s ≥ 1.5× Go's", Workload.http, c, Sample::rps, " req/s", Relation.atLeast, 1.5, Server.go);
            t.compare("HTTP " + c + ": req/s ≥ 0.7× nginx's", Workload.http, c, Sample::rps, " req/s", Relation.atLeast, 0.7, Server.nginx);
            t.compare("HTTP " + c + ": p99 below Go's", Workload.http, c, Sample::p99Us, " µs", Relation.below, 1, Server.go);
            t.compare("HTTP " + c + ": server CPU per request ≤ nginx's", Workload.http, c, Sample::cpuSecondsPer100k, " CPU s/100k", Relation.atMost, 1, Server.nginx);
            t.compare("HTTP " + c + ": server CPU per request ≤ Netty's", Workload.http, c, Sample::cpuSecondsPer100k, " CPU s/100k", Relation.atMost, 1, Server.netty);
        }
        for (String c : m.cases(Workload.https)) {
            t.compare("HTTPS " + c + ": server CPU per request ≤ Go's", Workload.https, c, Sample::cpuSecondsPer100k, " CPU s/100k", Relation.atMost, 1, Server.go);
            t.compare("HTTPS " + c + ": server CPU per request ≤ 1.5× nginx's", Workload.https, c, Sample::cpuSecondsPer100k, " CPU s/100k", Relation.atMost, 1.5, Server.nginx);
        }
        for (String c : m.cases(Workload.echo)) {
            t.compare("echo " + c + ": req/s ≥ Go's", Workload.echo, c, Sample::rps, " req/s", Relation.atLeast, 1, Server.go);
            t.compare("echo " + c + ": req/s ≥ Netty's", Workload.echo, c, Sample::rps, " req/s", Relation.atLeast, 1, Server.netty);
            t.compare("echo " + c + ": req/s ≥ 1.2× virtual threads'", Workload.echo, c, Sample::rps, " req/s", Relation.atLeast, 1.2, Server.loom);
            t.compare("echo " + c + ": p99 ≤ Go's", Workload.echo, c, Sample::p99Us, " µs", Relation.atMost, 1, Server.go);
            t.compare("echo " + c + ": server CPU per round trip ≤ Go's", Workload.echo, c, Sample::cpuSecondsPer100k, " CPU s/100k", Relation.atMost, 1, Server.go);
        }
        if (m.cases(Workload.echo).contains("conns=100 size=64")) {
            t.compare("echo conns=100 size=64: server CPU per round trip ≤ 0.9× Go's", Workload.echo, "conns=100 size=64",
                    Sample::cpuSecondsPer100k, " CPU s/100k", Relation.atMost, 0.9, Server.go);
        }
        for (String c : m.cases(Workload.fairness)) {
            t.compare("fairness " + c + ": probe p99 ≤ Go's", Workload.fairness, c, Sample::p99Us, " µs", Relation.atMost, 1, Server.go);
            t.compare("fairness " + c + ": probe max ≤ Go's", Workload.fairness, c, Sample::maxUs, " µs", Relation.atMost, 1, Server.go);
        }
        for (String c : m.cases(Workload.idle)) {
            t.compare("idle " + c + ": RSS per connection ≤ Go's", Workload.idle, c, Sample::rssBytesPerConn, " B", Relation.atMost, 1, Server.go);
            t.idleCpu(c);
        }
        t.checks.add(new Check("dispatcher micro-benchmarks ≥ Dispatchers.Default on every one", "n/a",
                "JMH in benchmarks/, not part of run.sh", Verdict.notMeasured));
        return t.checks;
    }

    private void compare(String target, Workload w, String scenario, ToDoubleFunction<Sample> figure, String unit,
                         Relation relation, double factor, Server reference) {
        if (m.cases(w).isEmpty()) {
            return; // a run of other workloads (BENCH_WORKLOADS): nothing to say about this one
        }
        double value = m.summary(w, scenario, Server.netpoll, figure).median();
        double ref = m.summary(w, scenario, reference, figure).median();
        Verdict verdict;
        if (Double.isNaN(value) || Double.isNaN(ref)) {
            verdict = Verdict.notMeasured;
        } else {
            double bound = factor * ref;
            boolean ok = switch (relation) {
                case atLeast -> value >= bound;
                case atMost -> value <= bound;
                case below -> value < bound;
            };
            verdict = ok ? Verdict.met : Verdict.missed;
        }
        String referenceText = reference.label + " " + Format.figure(ref) + unit;
        if (factor != 1 && !Double.isNaN(ref)) {
            referenceText = factor + "× " + reference.label + "'s " + Format.figure(ref) + " = "
                    + Format.figure(factor * ref) + unit;
        }
        checks.add(new Check(target, Format.figure(value) + unit, referenceText, verdict));
    }

    private void idleCpu(String scenario) {
        double share = m.summary(Workload.idle, scenario, Server.netpoll, Sample::idleCoreShare).median();
        Verdict verdict = Double.isNaN(share) ? Verdict.notMeasured
                : share <= idleCoreShareLimit ? Verdict.met : Verdict.missed;
        checks.add(new Check("idle " + scenario + ": no CPU beyond the idle scheduler",
                Double.isNaN(share) ? "n/a" : Format.figure(share * 100) + "% of a core",
                "≤ " + Format.figure(idleCoreShareLimit * 100) + "% of a core", verdict));
    }

    static String table(List<Check> checks) {
        StringBuilder out = new StringBuilder()
                .append("| target | netpoll-jvm | reference (same run) | verdict |\n")
                .append("|---|---:|---:|---|\n");
        for (Check c : checks) {
            out.append("| ").append(c.target()).append(" | ").append(c.netpoll()).append(" | ")
                    .append(c.reference()).append(" | ").append(switch (c.verdict()) {
                        case met -> "met";
                        case missed -> "**missed**";
                        case notMeasured -> "not measured";
                    }).append(" |\n");
        }
        return out.toString();
    }
}
