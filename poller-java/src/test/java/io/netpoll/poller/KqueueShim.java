package io.netpoll.poller;

import io.netpoll.poller.kqueue.KqueueNative;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Builds our kqueue shim ({@code src/test/c/kqueue_shim.c}) with gcc into a temporary directory and
 * points {@code -Dnetpoll.kqueue.library} at it, for a test class that runs in a JVM of its own
 * (a JNA binding is made once per JVM). Without gcc, or in a JVM that may have bound kqueue
 * already, the class is skipped with the reason printed.
 */
final class KqueueShim {
    private static final Path SOURCE = Path.of("src", "test", "c", "kqueue_shim.c").toAbsolutePath();

    private KqueueShim() {}

    /** Compiles the shim with {@code -D} for each of {@code defines}, selects it, and returns its path. */
    static Path buildAndSelect(String testClass, String... defines) throws Exception {
        String gcc = onPath("gcc");
        String bound = System.getProperty(KqueueNative.LIBRARY_PROPERTY);
        if (gcc == null || bound != null) {
            String reason = gcc == null ? "gcc not installed (apt-get install gcc): cannot build the kqueue shim"
                    : "this JVM may have bound kqueue from '" + bound + "' already (run in a JVM of its own)";
            System.out.println("SKIPPED " + testClass + ": " + reason);
            Assumptions.abort(reason);
        }
        Path dir = Files.createTempDirectory("kqueue-shim");
        Path lib = dir.resolve("libkqueue_shim.so");
        dir.toFile().deleteOnExit();
        lib.toFile().deleteOnExit();
        List<String> cmd = new ArrayList<>(List.of(gcc, "-std=c11", "-shared", "-fPIC", "-O1", "-Wall", "-Wextra"));
        for (String d : defines) {
            cmd.add("-D" + d);
        }
        cmd.addAll(List.of("-o", lib.toString(), SOURCE.toString(), "-lpthread"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "gcc timed out");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "kqueue_shim.c does not compile:\n" + out);
        System.setProperty(KqueueNative.LIBRARY_PROPERTY, lib.toString());
        return lib;
    }

    private static String onPath(String exe) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, exe))) {
                return Path.of(dir, exe).toString();
            }
        }
        return null;
    }
}
