package io.netpoll.samples.java;

import io.netpoll.net.Conn;
import io.netpoll.net.Listener;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * The thread-per-connection form of the Java sample: plain blocking code over net-kt's Java
 * facade ({@code acceptBlocking}, {@code asInputStream}, {@code asOutputStream}). Every wait parks
 * the calling thread on the shared Netpoll; on virtual threads (JDK 21+) that only unmounts the
 * virtual thread, so a connection costs a few KiB, not an OS thread. Each reply must be written
 * within the write timeout (a write deadline set before it), so a client that stops reading is cut.
 */
public final class BlockingLineServer implements AutoCloseable {
    private final Listener listener;
    private final LineCommands commands;
    private final ExecutorService executor;
    private final Duration writeTimeout;
    private final Set<Conn> conns = ConcurrentHashMap.newKeySet();

    /**
     * Serves {@code listener} with one task of {@code executor} per connection, plus one accepting;
     * a reply not written within {@code writeTimeout} ends its connection.
     */
    public BlockingLineServer(Listener listener, LineCommands commands, ExecutorService executor, Duration writeTimeout) {
        this.listener = listener;
        this.commands = commands;
        this.executor = executor;
        this.writeTimeout = writeTimeout;
        executor.execute(this::acceptLoop);
    }

    private void acceptLoop() {
        while (true) {
            Conn c;
            try {
                c = listener.acceptBlocking();
            } catch (IOException e) {
                // The listener was closed: stop accepting.
                return;
            }
            conns.add(c);
            executor.execute(() -> serve(c));
        }
    }

    private void serve(Conn c) {
        commands.connected();
        try (c) {
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(c.asInputStream(), StandardCharsets.UTF_8), LineCommands.MAX_LINE_BYTES);
            OutputStream out = c.asOutputStream();
            try {
                String line;
                while ((line = readLine(in)) != null) {
                    c.setWriteDeadline(Instant.now().plus(writeTimeout));
                    out.write((commands.handle(line) + "\n").getBytes(StandardCharsets.UTF_8));
                    if (LineCommands.isQuit(line)) {
                        return;
                    }
                }
            } catch (LineTooLongException e) {
                c.setWriteDeadline(Instant.now().plus(writeTimeout));
                out.write("ERROR line too long\n".getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // Reset, write timeout or closed by shutdown: this connection ends, the server goes on.
        } finally {
            conns.remove(c);
            commands.disconnected();
        }
    }

    /** One line without its terminator, null at end of stream; bounded by {@link LineCommands#MAX_LINE_BYTES}. */
    private static String readLine(BufferedReader in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int ch;
        while ((ch = in.read()) >= 0) {
            if (ch == '\n') {
                return sb.toString();
            }
            if (sb.length() >= LineCommands.MAX_LINE_BYTES) {
                throw new LineTooLongException();
            }
            sb.append((char) ch);
        }
        return sb.length() > 0 ? sb.toString() : null;
    }

    /** Stops accepting and closes every connection; a Unix listener's socket file it cannot remove is the IOException. */
    @Override
    public void close() throws IOException {
        listener.close();
        for (Conn c : conns) {
            c.close();
        }
        executor.shutdown();
    }

    private static final class LineTooLongException extends IOException {
        LineTooLongException() {
            super("line too long", null);
        }
    }
}
