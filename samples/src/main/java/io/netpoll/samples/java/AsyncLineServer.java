package io.netpoll.samples.java;

import io.netpoll.net.Conn;
import io.netpoll.net.Listener;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The CompletableFuture form of the Java sample (for JDKs without virtual threads): no thread
 * waits anywhere. {@code acceptAsync}, {@code readAsync} and {@code writeAsync} complete on
 * {@code executor} when the shared Netpoll reports readiness, and each completion schedules the
 * next step. Given the Kotlin side's NetpollDispatcher as the executor ({@code mixed}), the Java
 * service runs on the same scheduler as the coroutines. One 4 KiB-plus input buffer per
 * connection, lines split in place. Each reply must be written within the write timeout (a
 * write deadline set before it), so a client that stops reading is cut.
 *
 * <p>A future that is already done runs a {@code whenComplete} action at once on the caller's
 * stack, so chaining every step through {@code whenComplete} grows the stack by a few frames for
 * each step that does not wait: without limit for a client whose reads and writes never wait.
 * {@link #serve} therefore loops while steps complete at once and re-enters only from the
 * completion of a step that really waited. ({@code whenCompleteAsync} is no way out: given the
 * common pool on a machine where its parallelism is 1, CompletableFuture starts a new thread for
 * every step.)
 */
public final class AsyncLineServer implements AutoCloseable {
    private final Listener listener;
    private final LineCommands commands;
    private final Executor executor;
    private final Duration writeTimeout;
    private final Set<Conn> conns = ConcurrentHashMap.newKeySet();

    /**
     * Serves {@code listener}; every completion runs on {@code executor} (short, never blocking); a
     * reply not written within {@code writeTimeout} ends its connection.
     */
    public AsyncLineServer(Listener listener, LineCommands commands, Executor executor, Duration writeTimeout) {
        this.listener = listener;
        this.commands = commands;
        this.executor = executor;
        this.writeTimeout = writeTimeout;
        acceptNext();
    }

    private void acceptNext() {
        listener.acceptAsync(executor).whenComplete((c, err) -> {
            if (err != null) {
                return;
            }
            conns.add(c);
            commands.connected();
            acceptNext();
            serve(c, ByteBuffer.allocate(LineCommands.MAX_LINE_BYTES + 1).flip());
        });
    }

    /**
     * Answers every complete line in {@code in} (read mode), reading more whenever no complete
     * line is left. A step whose future is already done continues in this loop; only a step that
     * really waits returns, and its completion calls {@code serve} again.
     */
    private void serve(Conn c, ByteBuffer in) {
        for (;;) {
            int nl = -1;
            for (int i = in.position(); i < in.limit(); i++) {
                if (in.get(i) == '\n') {
                    nl = i;
                    break;
                }
            }
            if (nl < 0) {
                in.compact();
                if (!in.hasRemaining()) {
                    reply(c, "ERROR line too long").whenComplete((v, e) -> end(c));
                    return;
                }
                CompletableFuture<Integer> read = c.readAsync(in, executor);
                if (!read.isDone()) {
                    read.whenComplete((n, err) -> {
                        if (afterRead(c, in, n, err)) {
                            serve(c, in);
                        }
                    });
                    return;
                }
                if (!afterRead(c, in, read.getNow(null), failure(read))) {
                    return;
                }
                continue;
            }
            byte[] bytes = new byte[nl - in.position()];
            in.get(bytes);
            in.get();
            String line = new String(bytes, StandardCharsets.UTF_8);
            CompletableFuture<Integer> sent = reply(c, commands.handle(line));
            if (!sent.isDone()) {
                sent.whenComplete((v, err) -> {
                    if (afterReply(c, line, err)) {
                        serve(c, in);
                    }
                });
                return;
            }
            if (!afterReply(c, line, failure(sent))) {
                return;
            }
        }
    }

    /** After a read: true to go on with {@code in} in read mode, false when the connection ended. */
    private boolean afterRead(Conn c, ByteBuffer in, Integer n, Throwable err) {
        if (err != null || n < 0) {
            end(c);
            return false;
        }
        in.flip();
        return true;
    }

    /** After a reply: true to go on, false when it failed or answered QUIT. */
    private boolean afterReply(Conn c, String line, Throwable err) {
        if (err != null || LineCommands.isQuit(line)) {
            end(c);
            return false;
        }
        return true;
    }

    /** The failure of a future that is done, or null if it succeeded. */
    private static Throwable failure(CompletableFuture<?> done) {
        return done.isCompletedExceptionally() ? done.handle((v, e) -> e).join() : null;
    }

    private CompletableFuture<Integer> reply(Conn c, String text) {
        try {
            c.setWriteDeadline(Instant.now().plus(writeTimeout));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return c.writeAsync(ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8)), executor);
    }

    private void end(Conn c) {
        if (conns.remove(c)) {
            commands.disconnected();
        }
        c.close();
    }

    /** Stops accepting and closes every connection; a Unix listener's socket file it cannot remove is the IOException. */
    @Override
    public void close() throws IOException {
        listener.close();
        for (Conn c : conns) {
            end(c);
        }
    }
}
