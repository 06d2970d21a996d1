package io.netpoll.benchmarks.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The samples of one run of the harness, grouped by workload, case and system. */
final class Measurements {
    private final Map<String, Map<String, Map<String, List<Sample>>>> byWorkload = new LinkedHashMap<>();

    Measurements(List<Sample> samples) {
        for (Sample s : samples) {
            byWorkload.computeIfAbsent(s.workload(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(s.scenario(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(s.system(), k -> new ArrayList<>())
                    .add(s);
        }
    }

    /** The cases measured for a workload, in the order the harness ran them. */
    List<String> cases(Workload workload) {
        return List.copyOf(byWorkload.getOrDefault(workload.id, Map.of()).keySet());
    }

    List<Sample> samples(Workload workload, String scenario, Server server) {
        return byWorkload.getOrDefault(workload.id, Map.of())
                .getOrDefault(scenario, Map.of())
                .getOrDefault(server.id, List.of());
    }

    Summary summary(Workload workload, String scenario, Server server, ToDoubleFunction<Sample> figure) {
        return Summary.of(samples(workload, scenario, server), figure);
    }

    /** The systems measured for a workload, in {@link Server} order. */
    List<Server> servers(Workload workload) {
        List<Server> out = new ArrayList<>();
        for (Server server : Server.values()) {
            boolean measured = byWorkload.getOrDefault(workload.id, Map.of()).values().stream()
                    .anyMatch(bySystem -> bySystem.containsKey(server.id));
            if (measured) {
                out.add(server);
            }
        }
        return out;
    }

    /** The reference every ratio is taken to: netpoll-jvm when measured, otherwise Go. */
    Server baseline() {
        boolean netpollMeasured = byWorkload.values().stream()
                .flatMap(byCase -> byCase.values().stream())
                .anyMatch(bySystem -> bySystem.containsKey(Server.netpoll.id));
        return netpollMeasured ? Server.netpoll : Server.go;
    }
}
