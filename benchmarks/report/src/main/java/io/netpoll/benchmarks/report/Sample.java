package io.netpoll.benchmarks.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One measured run, one line of the harness's {@code raw.tsv}. Figures a workload does not
 * produce are written as {@code -} and read as NaN.
 */
record Sample(String workload, String scenario, int conns, int size, String system, int run,
              double rps, double p50Us, double p99Us, double requests,
              double serverCpuSeconds, double loadgenCpuSeconds, double wallSeconds,
              double rssGrowthKib, double idleCpuSeconds, double maxUs) {

    static final String header = "workload\tcase\tconns\tsize\tsystem\trun\trps\tp50_us\tp99_us\trequests"
            + "\tserver_cpu_s\tloadgen_cpu_s\twall_s\trss_growth_kb\tidle_cpu_s\tmax_us";

    static List<Sample> read(Path tsv) throws IOException {
        List<String> lines = Files.readAllLines(tsv);
        if (lines.isEmpty() || !lines.get(0).equals(header)) {
            throw new IOException(tsv + ": expected the header line\n" + header);
        }
        List<Sample> samples = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                samples.add(parse(lines.get(i), tsv + ":" + (i + 1)));
            }
        }
        return samples;
    }

    static Sample parse(String line, String where) {
        String[] f = line.split("\t", -1);
        if (f.length != 16) {
            throw new IllegalArgumentException(where + ": expected 16 tab-separated fields, got " + f.length);
        }
        return new Sample(f[0], f[1], (int) number(f[2]), (int) number(f[3]), f[4], (int) number(f[5]),
                number(f[6]), number(f[7]), number(f[8]), number(f[9]),
                number(f[10]), number(f[11]), number(f[12]), number(f[13]), number(f[14]), number(f[15]));
    }

    private static double number(String field) {
        return field.equals("-") || field.isEmpty() ? Double.NaN : Double.parseDouble(field);
    }

    /** Server CPU seconds (user + system, all threads) per 100,000 requests. */
    double cpuSecondsPer100k() {
        return serverCpuSeconds / requests * 100_000;
    }

    /** The load generator's CPU use as a share of one core: near 1.0 means it may be the bottleneck. */
    double loadgenCoreShare() {
        return loadgenCpuSeconds / wallSeconds;
    }

    /** Resident memory the server grew by, per connection held. */
    double rssBytesPerConn() {
        return rssGrowthKib * 1024 / conns;
    }

    /** Server CPU while the connections sat idle, as a share of one core. */
    double idleCoreShare() {
        return idleCpuSeconds / wallSeconds;
    }
}
