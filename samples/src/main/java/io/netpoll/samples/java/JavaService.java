package io.netpoll.samples.java;

import io.netpoll.net.Listener;
import io.netpoll.net.Net;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;

/**
 * Starts the Java sample on a listener: blocking code on virtual threads when the running JDK has
 * them (found by reflection, so this class compiles for Java 17), the CompletableFuture server
 * otherwise. Either way it uses the process's one Netpoll, the same one the Kotlin samples use.
 */
public final class JavaService implements AutoCloseable {
    public static final String DEFAULT_ADDRESS = "127.0.0.1:7070";
    /** How long one reply may take to write before a client that stopped reading is cut (as the Kotlin samples). */
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(10);

    private final AutoCloseable server;
    private final InetSocketAddress bound;
    private final LineCommands commands;

    private JavaService(Listener listener, LineCommands commands, AutoCloseable server) throws IOException {
        this.bound = (InetSocketAddress) listener.getLocalAddress();
        this.commands = commands;
        this.server = server;
    }

    /**
     * Listens on {@code address} ("host:port") and serves: virtual threads if available, else
     * futures completing on {@code asyncExecutor}.
     */
    public static JavaService start(String address, Executor asyncExecutor) throws IOException {
        Listener listener = Net.listen("tcp", address);
        ExecutorService virtual = virtualThreadExecutor();
        if (virtual != null) {
            LineCommands commands = new LineCommands("virtual-threads");
            return new JavaService(listener, commands, new BlockingLineServer(listener, commands, virtual, DEFAULT_WRITE_TIMEOUT));
        }
        LineCommands commands = new LineCommands("completable-future");
        return new JavaService(listener, commands, new AsyncLineServer(listener, commands, asyncExecutor, DEFAULT_WRITE_TIMEOUT));
    }

    /** {@link #start(String, Executor)} with futures completing on the common pool. */
    public static JavaService start(String address) throws IOException {
        return start(address, ForkJoinPool.commonPool());
    }

    /** {@code Executors.newVirtualThreadPerTaskExecutor()} on JDK 21+, null before. */
    static ExecutorService virtualThreadExecutor() {
        try {
            Method m = java.util.concurrent.Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            return (ExecutorService) m.invoke(null);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /** "host:port" actually bound (port 0 resolved). */
    public String boundAddress() {
        return bound.getAddress().getHostAddress() + ":" + bound.getPort();
    }

    public LineCommands commands() {
        return commands;
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
