package io.netpoll.samples.java;

import io.netpoll.net.Listener;
import io.netpoll.net.Net;
import io.netpoll.poller.Netpoll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.io.IOException;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java sample from Java: both server forms (blocking threads — virtual on JDK 21+, platform
 * threads here otherwise — and CompletableFuture) against plain {@link Socket} clients.
 */
class JavaServiceTest {
    private interface Server extends AutoCloseable {
        int port();

        LineCommands commands();
    }

    private static Server start(String form) throws Exception {
        return start(form, JavaService.DEFAULT_WRITE_TIMEOUT);
    }

    private static Server start(String form, Duration writeTimeout) throws Exception {
        Listener listener = Net.listen("tcp", "127.0.0.1:0");
        int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
        LineCommands commands = new LineCommands(form);
        AutoCloseable s;
        if (form.equals("blocking")) {
            ExecutorService virtual = JavaService.virtualThreadExecutor();
            ExecutorService executor = virtual != null ? virtual : Executors.newCachedThreadPool();
            s = new BlockingLineServer(listener, commands, executor, writeTimeout);
        } else {
            s = new AsyncLineServer(listener, commands, ForkJoinPool.commonPool(), writeTimeout);
        }
        return new Server() {
            public int port() {
                return port;
            }

            public LineCommands commands() {
                return commands;
            }

            public void close() throws Exception {
                s.close();
            }
        };
    }

    private static Socket connect(int port) throws Exception {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(5000);
        return s;
    }

    private static List<String> exchange(Socket s, String... lines) throws Exception {
        OutputStream out = s.getOutputStream();
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        List<String> replies = new ArrayList<>();
        for (String line : lines) {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            replies.add(in.readLine());
        }
        return replies;
    }

    @ParameterizedTest
    @ValueSource(strings = {"blocking", "future"})
    void commandsAnswerLineByLine(String form) throws Exception {
        try (Server server = start(form); Socket s = connect(server.port())) {
            assertEquals(List.of("PONG", "OK", "VALUE hello java world", "NOT_FOUND", "DELETED 1", "NOT_FOUND",
                            "ERROR unknown command 'FLY'", "ERROR usage: GET key"),
                    exchange(s, "PING", "SET k hello java world", "GET k", "GET other", "DEL k", "GET k", "FLY", "GET"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"blocking", "future"})
    void quitRepliesByeAndCloses(String form) throws Exception {
        try (Server server = start(form); Socket s = connect(server.port())) {
            assertEquals(List.of("BYE"), exchange(s, "QUIT"));
            assertEquals(-1, s.getInputStream().read());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"blocking", "future"})
    void aLineOverTheLimitIsRefusedAndTheConnectionClosed(String form) throws Exception {
        try (Server server = start(form); Socket s = connect(server.port())) {
            // Exactly one byte over, so the server has read everything when it closes (no reset).
            s.getOutputStream().write("x".repeat(LineCommands.MAX_LINE_BYTES + 1).getBytes(StandardCharsets.UTF_8));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ERROR line too long", in.readLine());
            assertNull(in.readLine());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"blocking", "future"})
    void fiftyClientsAtOnceEachSeeTheirOwnValues(String form) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(50);
        try (Server server = start(form)) {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int n = i;
                results.add(clients.submit(() -> {
                    try (Socket s = connect(server.port())) {
                        return exchange(s, "SET key" + n + " v" + n, "GET key" + n, "PING");
                    }
                }));
            }
            for (int i = 0; i < 50; i++) {
                assertEquals(List.of("OK", "VALUE v" + i, "PONG"), results.get(i).get(10, TimeUnit.SECONDS));
            }
        } finally {
            clients.shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"blocking", "future"})
    void aClientThatStopsReadingIsCutByTheWriteTimeout(String form) throws Exception {
        Duration timeout = Duration.ofMillis(500);
        try (Server server = start(form, timeout); Socket s = connect(server.port())) {
            String value = "v".repeat(4000);
            assertEquals(List.of("OK"), exchange(s, "SET k " + value));
            // GETs of a 4 KB value, never read: the replies fill both socket buffers and the
            // server's write waits. The client's own writes then block too, so they run on a
            // thread of their own.
            Thread sender = new Thread(() -> {
                byte[] gets = "GET k\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
                try {
                    for (int i = 0; i < 1_000; i++) {
                        s.getOutputStream().write(gets);
                    }
                } catch (IOException e) {
                    // Cut by the server (reset or broken pipe): what the test waits for.
                }
            });
            sender.start();
            long t0 = System.nanoTime();
            while (server.commands().connections() > 0 && System.nanoTime() - t0 < 30_000_000_000L) {
                Thread.sleep(5);
            }
            long tookMillis = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("JavaServiceTest[" + form + "]: a client that stopped reading was cut " + tookMillis
                    + " ms after its GETs began (write timeout " + timeout.toMillis() + " ms)");
            assertEquals(0, server.commands().connections(), "still connected after " + tookMillis + " ms");
            s.close();
            sender.join(10_000);
        }
    }

    @Test
    void statsNameTheProcessNetpollAndCountConnections() throws Exception {
        try (Server server = start("future"); Socket s = connect(server.port())) {
            String stats = exchange(s, "STATS").get(0);
            String id = Integer.toHexString(System.identityHashCode(Netpoll.get()));
            assertTrue(stats.startsWith("STATS mode=future connections=1 netpoll_id=" + id + " "), stats);
        }
    }

    @Test
    void startPicksVirtualThreadsWhenTheJdkHasThem() throws Exception {
        try (JavaService service = JavaService.start("127.0.0.1:0")) {
            boolean virtual = Runtime.version().feature() >= 21;
            String expected = virtual ? "mode=virtual-threads" : "mode=completable-future";
            assertTrue(service.commands().stats().startsWith(expected), service.commands().stats());
            int port = Integer.parseInt(service.boundAddress().substring(service.boundAddress().lastIndexOf(':') + 1));
            try (Socket s = connect(port)) {
                assertEquals(List.of("PONG"), exchange(s, "PING"));
            }
        }
    }
}
