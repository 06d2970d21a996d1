package io.netpoll.benchmarks.report;

import java.util.Arrays;
import java.util.Optional;

/** The systems the harness measures, in the order the report lists them; the first is the baseline. */
enum Server {
    netpoll("netpoll", "netpoll-jvm (Netpoll)"),
    netpollDefault("netpoll-default", "netpoll-jvm (Default)"),
    netty("netty", "Netty 4.2 epoll"),
    loom("loom", "virtual threads"),
    ktor("ktor", "Ktor sockets"),
    go("go", "Go stdlib"),
    redis("redis", "redis-server"),
    nginx("nginx", "nginx");

    final String id;
    final String label;

    Server(String id, String label) {
        this.id = id;
        this.label = label;
    }

    static Optional<Server> byId(String id) {
        return Arrays.stream(values()).filter(s -> s.id.equals(id)).findFirst();
    }
}
