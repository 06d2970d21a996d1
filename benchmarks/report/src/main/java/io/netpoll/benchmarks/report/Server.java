package io.netpoll.benchmarks.report;

import java.awt.Color;
import java.util.Arrays;
import java.util.Optional;

/** The systems the harness measures, in the order the report lists them; the first is the baseline. */
enum Server {
    netpoll("netpoll", "netpoll-jvm (Netpoll)", new Color(0x1F77B4)),
    netpollDefault("netpoll-default", "netpoll-jvm (Default)", new Color(0x9ECAE9)),
    netty("netty", "Netty 4.2 epoll", new Color(0xFF7F0E)),
    loom("loom", "virtual threads", new Color(0x9467BD)),
    ktor("ktor", "Ktor sockets", new Color(0xE377C2)),
    go("go", "Go stdlib", new Color(0x2CA02C)),
    redis("redis", "redis-server", new Color(0xD62728)),
    nginx("nginx", "nginx", new Color(0x7F7F7F));

    final String id;
    final String label;
    /** The same colour for a system in every chart. */
    final Color color;

    Server(String id, String label, Color color) {
        this.id = id;
        this.label = label;
        this.color = color;
    }

    static Optional<Server> byId(String id) {
        return Arrays.stream(values()).filter(s -> s.id.equals(id)).findFirst();
    }
}
