package io.netpoll.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    private static Sample echo(String system, int run, double rps, double p99, double cpu) {
        return Sample.parse(String.join("\t", "echo", "conns=100 size=64", "100", "64", system, "" + run,
                "" + rps, "50", "" + p99, "" + rps * 2, "" + cpu, "1.0", "2.0", "-", "-", "-"), "test");
    }

    @Test
    void summaryIsTheMedianWithMinAndMaxOfTheRuns() {
        Summary s = Summary.of(List.of(echo("go", 1, 300, 9, 1), echo("go", 2, 100, 9, 1), echo("go", 3, 200, 9, 1)), Sample::rps);
        assertEquals(new Summary(200, 100, 300, 3), s);
        assertEquals(150, Summary.of(List.of(echo("go", 1, 100, 9, 1), echo("go", 2, 200, 9, 1)), Sample::rps).median());
    }

    @Test
    void missingFiguresAreNotMeasuredNotMet() {
        Measurements m = new Measurements(List.of(echo("go", 1, 100, 9, 1)));
        assertEquals(Server.go, m.baseline());
        assertTrue(Targets.evaluate(m).stream().allMatch(c -> c.verdict() == Targets.Verdict.notMeasured));
    }

    @Test
    void targetsCompareNetpollWithItsPeersInTheSameRun() {
        Measurements m = new Measurements(List.of(
                echo("netpoll", 1, 150, 8, 1), echo("go", 1, 100, 9, 1), echo("netty", 1, 200, 9, 1)));
        assertEquals(Server.netpoll, m.baseline());
        List<Targets.Check> checks = Targets.evaluate(m);
        assertEquals(Targets.Verdict.met, verdict(checks, "echo conns=100 size=64: req/s ≥ Go's"));
        assertEquals(Targets.Verdict.missed, verdict(checks, "echo conns=100 size=64: req/s ≥ Netty's"));
        assertEquals(Targets.Verdict.notMeasured, verdict(checks, "echo conns=100 size=64: req/s ≥ 1.2× virtual threads'"));
        assertEquals(Targets.Verdict.met, verdict(checks, "echo conns=100 size=64: p99 ≤ Go's"));
    }

    @Test
    void aRunOfSomeWorkloadsListsOnlyTheirTargets() {
        List<Targets.Check> checks = Targets.evaluate(new Measurements(List.of(echo("netpoll", 1, 150, 8, 1))));
        assertTrue(checks.stream().anyMatch(c -> c.target().startsWith("echo ")), checks.toString());
        assertTrue(checks.stream().noneMatch(c -> c.target().startsWith("RESP ") || c.target().startsWith("HTTP")), checks.toString());
    }

    private static Targets.Verdict verdict(List<Targets.Check> checks, String target) {
        return checks.stream().filter(c -> c.target().equals(target)).findFirst().orElseThrow().verdict();
    }

    @Test
    void tablesCarryRatiosToTheBaseline() {
        Measurements m = new Measurements(List.of(echo("netpoll", 1, 100, 8, 1), echo("go", 1, 150, 16, 3)));
        String table = Tables.load(m, Workload.echo, "conns=100 size=64");
        assertTrue(table.contains("| Go stdlib | 150 (1.50×) | 150–150 | 50.0 (1.00×) | 16.0 (2.00×) | 1,000 (2.00×) | 50% | 1 |"), table);
    }

    @Test
    void reportAndChartsAreWrittenBesideTheRawData(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("raw.tsv"), Sample.header + "\n"
                + "echo\tconns=100 size=64\t100\t64\tnetpoll\t1\t1000\t50\t90\t2000\t0.5\t1\t2\t-\t-\t-\n"
                + "echo\tconns=1 size=64\t1\t64\tnetpoll\t1\t500\t20\t40\t1000\t0.5\t1\t2\t-\t-\t-\n"
                + "idle\tconns=10000\t10000\t-\tnetpoll\t1\t-\t-\t-\t-\t-\t-\t3\t20000\t0.0\t-\n"
                + "idle-tls\tconns=5000\t5000\t-\tnetpoll\t1\t-\t-\t-\t-\t-\t-\t3\t40000\t0.03\t-\n"
                + "tls-handshake\tc=50\t50\t-\tnetpoll\t1\t2000\t900\t3000\t6000\t3\t1\t3\t-\t-\t-\n"
                + "fairness\tstreams=2 probe=64B/10ms\t3\t64\tnetpoll\t1\t900\t1200\t9500\t150\t1.5\t1.2\t1.5\t-\t-\t14000\n");
        Files.writeString(dir.resolve("environment.md"), "- machine: test\n");
        Report.main(new String[] {dir.toString()});
        String report = Files.readString(dir.resolve("REPORT.md"));
        assertTrue(report.contains("![headline](headline.png)"), report);
        assertTrue(report.contains("| netpoll-jvm (Netpoll) | 2.00 (1.00×) | 2.00–2.00 | 0.000 | 1 |"), report);
        assertTrue(report.contains("### Idle TLS connections (after a handshake and one HTTPS request) — conns=5000\n\n"
                + "| system | RSS per idle connection, KiB | min–max | server CPU while idle, % of a core | runs |\n"
                + "|---|---:|---:|---:|---:|\n"
                + "| netpoll-jvm (Netpoll) | 8.00 (1.00×) | 8.00–8.00 | 1.00 | 1 |\n"), report);
        assertTrue(report.contains("| netpoll-jvm (Netpoll) | 2,000 (1.00×) | 2,000–2,000 | 900 (1.00×) | 3,000 (1.00×) | 50.0 (1.00×) | 33% | 1 |"), report);
        assertTrue(report.contains("### Fairness: a 64-byte echo round trip every 10 ms beside two connections streaming both ways, "
                + "Go fairness-client — streams=2 probe=64B/10ms\n\n"
                + "| system | probe p50 ms | probe p99 ms | probe max ms | p99 min–max ms | streams MiB/s | runs |\n"), report);
        assertTrue(!Files.exists(dir.resolve("latency-fairness.png")) && !Files.exists(dir.resolve("throughput-fairness.png")));
        assertTrue(report.endsWith("- machine: test\n"));
        for (String png : List.of("headline.png", "throughput-echo.png", "latency-echo.png", "scaling-echo-64.png", "idle-rss.png",
                "idle-tls-rss.png", "throughput-tls-handshake.png", "latency-tls-handshake.png")) {
            assertTrue(Files.size(dir.resolve(png)) > 1000, png);
        }
    }

    private static Sample fairness(String system, int run, double p50, double p99, double max) {
        return Sample.parse(String.join("\t", "fairness", "streams=2 probe=64B/10ms", "3", "64", system, "" + run,
                "900", "" + p50, "" + p99, "150", "1.5", "1.2", "1.5", "-", "-", "" + max), "test");
    }

    @Test
    void fairnessTableShowsTheProbeQuantilesInMillisecondsWithRatios() {
        Measurements m = new Measurements(List.of(
                fairness("netpoll", 1, 1200, 9500, 14000), fairness("netpoll", 2, 1400, 10500, 30000),
                fairness("netpoll", 3, 1000, 8000, 12000), fairness("go", 1, 2500, 19000, 28000)));
        String table = Tables.fairness(m, Workload.fairness, "streams=2 probe=64B/10ms");
        assertTrue(table.contains("| netpoll-jvm (Netpoll) | 1.20 (1.00×) | 9.50 (1.00×) | 14.0 (1.00×) | 8.00–10.5 | 900 | 3 |"), table);
        assertTrue(table.contains("| Go stdlib | 2.50 (2.08×) | 19.0 (2.00×) | 28.0 (2.00×) | 19.0–19.0 | 900 | 1 |"), table);
        List<Targets.Check> checks = Targets.evaluate(m);
        assertEquals(Targets.Verdict.met, verdict(checks, "fairness streams=2 probe=64B/10ms: probe p99 ≤ Go's"));
        assertEquals(Targets.Verdict.met, verdict(checks, "fairness streams=2 probe=64B/10ms: probe max ≤ Go's"));
    }

    @Test
    void aRawFileWithoutTheHeaderIsRejected(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("raw.tsv"), "echo\n");
        assertThrows(IOException.class, () -> Sample.read(dir.resolve("raw.tsv")));
    }
}
