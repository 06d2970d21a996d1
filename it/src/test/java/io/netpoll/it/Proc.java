package io.netpoll.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child process these tests run: each bounded in time, stdout and stderr captured to files (so
 * neither pipe can fill and stall it), and killed by {@link #close} if still alive.
 */
final class Proc implements AutoCloseable {
    final List<String> command;
    final Process process;
    private final Path out;
    private final Path err;

    private Proc(List<String> command, Process process, Path out, Path err) {
        this.command = command;
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /** Starts {@code command} in {@code dir}; its output goes to {@code logs/name.out} and {@code .err}. */
    static Proc start(List<String> command, Path dir, Path logs, String name) throws IOException {
        Files.createDirectories(logs);
        Path out = logs.resolve(name + ".out");
        Path err = logs.resolve(name + ".err");
        Process p = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new Proc(command, p, out, err);
    }

    /** Runs {@code command} to completion within {@code seconds}. */
    static Proc run(List<String> command, Path dir, Path logs, String name, long seconds) throws Exception {
        Proc p = start(command, dir, logs, name);
        if (!p.process.waitFor(seconds, TimeUnit.SECONDS)) {
            p.close();
            throw new AssertionError(name + " did not finish within " + seconds + " s: " + String.join(" ", command)
                    + "\n" + p.tail());
        }
        return p;
    }

    int exit() {
        return process.exitValue();
    }

    String out() throws IOException {
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    String err() throws IOException {
        return Files.readString(err, StandardCharsets.UTF_8);
    }

    /** Waits up to {@code seconds} for a line of stdout that starts with {@code prefix}; that line. */
    String awaitLine(String prefix, long seconds) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() - until < 0) {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(out), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith(prefix)) return line;
                }
            }
            if (!process.isAlive()) break;
            Thread.sleep(50);
        }
        throw new AssertionError("no line starting '" + prefix + "' from " + String.join(" ", command) + "\n" + tail());
    }

    /** The end of both outputs, for failure messages. */
    String tail() throws IOException {
        return "--- stdout (" + out + "):\n" + last(out()) + "--- stderr (" + err + "):\n" + last(err());
    }

    private static String last(String s) {
        return s.length() <= 4000 ? s : "..." + s.substring(s.length() - 4000);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
