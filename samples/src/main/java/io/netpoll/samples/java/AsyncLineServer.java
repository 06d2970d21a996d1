package io.netpoll.samples.java;

import io.netpoll.net.Conn;
import io.netpoll.net.Listener;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
 * connection, lines split in place.
 */
public final class AsyncLineServer implements AutoCloseable {
    private final Listener listener;
    private final LineCommands commands;
    private final Executor executor;
    private final Set<Conn> conns = ConcurrentHashMap.newKeySet();

    /** Serves {@code listener}; every completion runs on {@code executor} (short, never blocking). */
    public AsyncLineServer(Listener listener, LineCommands commands, Executor executor) {
        this.listener = listener;
        this.commands = commands;
        this.executor = executor;
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
            readMore(c, ByteBuffer.allocate(LineCommands.MAX_LINE_BYTES + 1));
        });
    }

    private void readMore(Conn c, ByteBuffer in) {
        c.readAsync(in, executor).whenComplete((n, err) -> {
            if (err != null || n < 0) {
                end(c);
                return;
            }
            in.flip();
            answerLines(c, in);
        });
    }

    /** Replies to every complete line in {@code in} (read mode), one after another, then reads on. */
    private void answerLines(Conn c, ByteBuffer in) {
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
            readMore(c, in);
            return;
        }
        byte[] bytes = new byte[nl - in.position()];
        in.get(bytes);
        in.get();
        String line = new String(bytes, StandardCharsets.UTF_8);
        reply(c, commands.handle(line)).whenComplete((v, err) -> {
            if (err != null || LineCommands.isQuit(line)) {
                end(c);
            } else {
                answerLines(c, in);
            }
        });
    }

    private CompletableFuture<Integer> reply(Conn c, String text) {
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
