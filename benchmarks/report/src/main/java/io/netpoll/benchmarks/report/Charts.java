package io.netpoll.benchmarks.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

/**
 * The report's PNG charts (XChart): the headline (throughput relative to the baseline on one case
 * of each workload), throughput per system for each workload, latency percentiles, echo scaling
 * with connections, and RSS per idle connection (plain and TLS). Missing figures are drawn as zero.
 */
final class Charts {
    private static final int width = 1000;
    private static final int height = 520;

    /** The case of each workload that the headline chart compares. */
    private record Headline(String label, Workload workload, String scenario) {}

    private static final List<Headline> headline = List.of(
            new Headline("RESP GET", Workload.resp, "GET"),
            new Headline("RESP GET -P 16", Workload.respPipelined, "GET"),
            new Headline("HTTP c=256", Workload.http, "c=256"),
            new Headline("echo 100 × 64 B", Workload.echo, "conns=100 size=64"),
            new Headline("echo 1000 × 4 KiB", Workload.echo, "conns=1000 size=4096"));

    private final Measurements m;
    private final Path dir;
    private final List<String> written = new ArrayList<>();

    private Charts(Measurements m, Path dir) {
        this.m = m;
        this.dir = dir;
    }

    /** Draws every chart the measurements allow into {@code dir}; returns the file names, headline first. */
    static List<String> write(Measurements m, Path dir) throws IOException {
        Charts charts = new Charts(m, dir);
        charts.headline();
        for (Workload w : Workload.values()) {
            if (w.isCharted()) {
                charts.throughput(w);
                charts.latency(w);
            }
        }
        charts.scaling(64);
        charts.scaling(4096);
        charts.idle(Workload.idle);
        charts.idle(Workload.idleTls);
        return charts.written;
    }

    private void headline() throws IOException {
        Server base = m.baseline();
        List<String> labels = new ArrayList<>();
        for (Headline h : headline) {
            if (m.cases(h.workload()).contains(h.scenario())) {
                labels.add(h.label());
            }
        }
        if (labels.isEmpty()) {
            return;
        }
        CategoryChart chart = category("Throughput relative to " + base.label + " (same run, higher is better)",
                "", "req/s ÷ " + base.label);
        for (Server server : Server.values()) {
            List<Double> ratios = new ArrayList<>();
            boolean any = false;
            for (Headline h : headline) {
                if (!labels.contains(h.label())) {
                    continue;
                }
                double value = m.summary(h.workload(), h.scenario(), server, Sample::rps).median();
                double ref = m.summary(h.workload(), h.scenario(), base, Sample::rps).median();
                double ratio = value / ref;
                any |= !Double.isNaN(ratio);
                ratios.add(Double.isNaN(ratio) ? 0 : ratio);
            }
            if (any) {
                chart.addSeries(server.label, labels, ratios).setFillColor(server.color);
            }
        }
        save(chart, "headline");
    }

    private void throughput(Workload w) throws IOException {
        List<String> cases = m.cases(w);
        if (cases.isEmpty()) {
            return;
        }
        CategoryChart chart = category(w.title + ": throughput (median of runs)", "", "req/s");
        for (Server server : m.servers(w)) {
            chart.addSeries(server.label, cases, medians(w, cases, server, Sample::rps)).setFillColor(server.color);
        }
        save(chart, "throughput-" + w.id);
    }

    private void latency(Workload w) throws IOException {
        List<Server> servers = m.servers(w);
        if (!m.cases(w).contains(w.latencyCase)) {
            return;
        }
        List<String> labels = servers.stream().map(s -> s.label).toList();
        List<Double> p50 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        for (Server server : servers) {
            p50.add(zeroIfMissing(m.summary(w, w.latencyCase, server, Sample::p50Us).median()));
            p99.add(zeroIfMissing(m.summary(w, w.latencyCase, server, Sample::p99Us).median()));
        }
        CategoryChart chart = category(w.title + " " + w.latencyCase + ": latency percentiles (lower is better)", "", "µs");
        chart.addSeries("p50", labels, p50);
        chart.addSeries("p99", labels, p99);
        save(chart, "latency-" + w.id);
    }

    private void scaling(int size) throws IOException {
        List<String> cases = m.cases(Workload.echo).stream()
                .filter(c -> c.endsWith(" size=" + size)).toList();
        if (cases.size() < 2) {
            return;
        }
        XYChart chart = new XYChartBuilder().width(width).height(height)
                .title("Echo " + size + " B: scaling with connections").xAxisTitle("connections").yAxisTitle("req/s").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisDecimalPattern("#,###");
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        for (Server server : m.servers(Workload.echo)) {
            List<Double> conns = new ArrayList<>();
            List<Double> rps = new ArrayList<>();
            for (String c : cases) {
                List<Sample> samples = m.samples(Workload.echo, c, server);
                if (!samples.isEmpty()) {
                    conns.add((double) samples.get(0).conns());
                    rps.add(Summary.of(samples, Sample::rps).median());
                }
            }
            if (!conns.isEmpty()) {
                XYSeries series = chart.addSeries(server.label, conns, rps);
                series.setLineColor(server.color);
                series.setMarkerColor(server.color);
            }
        }
        save(chart, "scaling-echo-" + size);
    }

    private void idle(Workload w) throws IOException {
        List<String> cases = m.cases(w);
        if (cases.isEmpty()) {
            return;
        }
        String scenario = cases.get(0);
        List<Server> servers = m.servers(w);
        List<Double> kib = new ArrayList<>();
        for (Server server : servers) {
            kib.add(zeroIfMissing(m.summary(w, scenario, server, Sample::rssBytesPerConn).median() / 1024));
        }
        String what = w == Workload.idleTls ? "idle TLS connection" : "idle connection";
        CategoryChart chart = category("RSS per " + what + ", " + scenario + " (lower is better)", "", "KiB");
        chart.addSeries("RSS per connection", servers.stream().map(s -> s.label).toList(), kib);
        save(chart, w.id + "-rss");
    }

    private List<Double> medians(Workload w, List<String> cases, Server server, ToDoubleFunction<Sample> figure) {
        return cases.stream().map(c -> zeroIfMissing(m.summary(w, c, server, figure).median())).toList();
    }

    private static double zeroIfMissing(double value) {
        return Double.isNaN(value) ? 0 : value;
    }

    private static CategoryChart category(String title, String xTitle, String yTitle) {
        CategoryChart chart = new CategoryChartBuilder().width(width).height(height)
                .title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisLabelRotation(0);
        return chart;
    }

    private void save(Chart<?, ?> chart, String name) throws IOException {
        BitmapEncoder.saveBitmap(chart, dir.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
        written.add(name + ".png");
    }
}
