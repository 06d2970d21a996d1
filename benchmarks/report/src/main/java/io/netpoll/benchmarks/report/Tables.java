package io.netpoll.benchmarks.report;

import java.util.List;

/**
 * The markdown tables: one per case of each load workload (req/s, latency, server CPU per 100k
 * requests, load generator CPU) and one for each idle-connection workload (RSS and CPU per idle connection).
 * Every figure carries its ratio to the baseline system measured in the same run.
 */
final class Tables {
    /** A load generator busier than this share of its core may be what limits the figure. */
    static final double clientBoundShare = 0.85;

    private Tables() {}

    static String load(Measurements m, Workload workload, String scenario) {
        Server base = m.baseline();
        Summary baseRps = m.summary(workload, scenario, base, Sample::rps);
        Summary baseP50 = m.summary(workload, scenario, base, Sample::p50Us);
        Summary baseP99 = m.summary(workload, scenario, base, Sample::p99Us);
        Summary baseCpu = m.summary(workload, scenario, base, Sample::cpuSecondsPer100k);
        StringBuilder out = new StringBuilder()
                .append("| system | req/s | req/s min–max | p50 µs | p99 µs | server CPU s / 100k req | load generator CPU | runs |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Server server : m.servers(workload)) {
            List<Sample> samples = m.samples(workload, scenario, server);
            if (samples.isEmpty()) {
                continue;
            }
            Summary rps = Summary.of(samples, Sample::rps);
            Summary p50 = Summary.of(samples, Sample::p50Us);
            Summary p99 = Summary.of(samples, Sample::p99Us);
            Summary cpu = Summary.of(samples, Sample::cpuSecondsPer100k);
            Summary loadgen = Summary.of(samples, Sample::loadgenCoreShare);
            out.append("| ").append(server.label)
                    .append(" | ").append(Format.withRatio(Format.count(rps.median()), rps.median(), baseRps.median()))
                    .append(" | ").append(Format.range(rps, Format::count))
                    .append(" | ").append(Format.withRatio(Format.figure(p50.median()), p50.median(), baseP50.median()))
                    .append(" | ").append(Format.withRatio(Format.figure(p99.median()), p99.median(), baseP99.median()))
                    .append(" | ").append(Format.withRatio(Format.figure(cpu.median()), cpu.median(), baseCpu.median()))
                    .append(" | ").append(Format.percent(loadgen.median()))
                    .append(loadgen.median() >= clientBoundShare ? " ⚠" : "")
                    .append(" | ").append(rps.runs())
                    .append(" |\n");
        }
        return out.toString();
    }

    /**
     * The fairness workload: the light connection's round-trip p50, p99 and max (ms) beside the
     * streams, and what the streams echoed meanwhile.
     */
    static String fairness(Measurements m, Workload workload, String scenario) {
        Server base = m.baseline();
        Summary baseP50 = m.summary(workload, scenario, base, Sample::p50Us);
        Summary baseP99 = m.summary(workload, scenario, base, Sample::p99Us);
        Summary baseMax = m.summary(workload, scenario, base, Sample::maxUs);
        StringBuilder out = new StringBuilder()
                .append("| system | probe p50 ms | probe p99 ms | probe max ms | p99 min–max ms | streams MiB/s | runs |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (Server server : m.servers(workload)) {
            List<Sample> samples = m.samples(workload, scenario, server);
            if (samples.isEmpty()) {
                continue;
            }
            Summary p50 = Summary.of(samples, Sample::p50Us);
            Summary p99 = Summary.of(samples, Sample::p99Us);
            Summary max = Summary.of(samples, Sample::maxUs);
            Summary mibs = Summary.of(samples, Sample::rps);
            out.append("| ").append(server.label)
                    .append(" | ").append(Format.withRatio(Format.figure(p50.median() / 1000), p50.median(), baseP50.median()))
                    .append(" | ").append(Format.withRatio(Format.figure(p99.median() / 1000), p99.median(), baseP99.median()))
                    .append(" | ").append(Format.withRatio(Format.figure(max.median() / 1000), max.median(), baseMax.median()))
                    .append(" | ").append(Format.range(p99, v -> Format.figure(v / 1000)))
                    .append(" | ").append(Format.count(mibs.median()))
                    .append(" | ").append(p99.runs())
                    .append(" |\n");
        }
        return out.toString();
    }

    static String idle(Measurements m, Workload workload, String scenario) {
        Server base = m.baseline();
        Summary baseRss = m.summary(workload, scenario, base, Sample::rssBytesPerConn);
        StringBuilder out = new StringBuilder()
                .append("| system | RSS per idle connection, KiB | min–max | server CPU while idle, % of a core | runs |\n")
                .append("|---|---:|---:|---:|---:|\n");
        for (Server server : m.servers(workload)) {
            List<Sample> samples = m.samples(workload, scenario, server);
            if (samples.isEmpty()) {
                continue;
            }
            Summary rss = Summary.of(samples, Sample::rssBytesPerConn);
            Summary cpu = Summary.of(samples, Sample::idleCoreShare);
            out.append("| ").append(server.label)
                    .append(" | ").append(Format.withRatio(Format.figure(rss.median() / 1024), rss.median(), baseRss.median()))
                    .append(" | ").append(Format.range(rss, v -> Format.figure(v / 1024)))
                    .append(" | ").append(Format.figure(cpu.median() * 100))
                    .append(" | ").append(rss.runs())
                    .append(" |\n");
        }
        return out.toString();
    }
}
