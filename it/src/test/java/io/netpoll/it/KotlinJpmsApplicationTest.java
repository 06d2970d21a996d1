package io.netpoll.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A Kotlin JPMS application, as docs/build.md shows it: the page's Kotlin server with the page's
 * module-info ({@code requires io.netpoll.net; requires io.netpoll.dispatcher;}), compiled by
 * kotlinc against the packaged jars on the module path (the standard library and kotlinx-coroutines
 * among them, reached through {@code requires transitive}), its descriptor by javac, then run with
 * {@code java --module-path ... -m}; a java.net socket sends it a line and reads the echo.
 *
 * <p>The server echoes with {@code Conn.read} and {@code write}, which are inline: their bodies are
 * compiled into module example.server and call io.netpoll.net's internal package from there. So
 * this passes only if io.netpoll.net exports that package; without the export kotlinc compiles the
 * application all the same and its first read fails with an IllegalAccessError.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KotlinJpmsApplicationTest {
    private static final Path WORK = Path.of("target/kotlin-jpms").toAbsolutePath();

    @Test
    void theServerRequiringOnlyNetAndTheSchedulerEchoesOnTheModulePath() throws Exception {
        Docs docs = Docs.buildPage();
        Path src = WORK.resolve("src");
        Path classes = WORK.resolve("out");
        JpmsApplicationTest.deleteTree(WORK);
        Files.createDirectories(src.resolve("example/server"));
        Path moduleInfo = Files.writeString(src.resolve("module-info.java"), docs.block("kotlin-module-info.java"));
        Path server = Files.writeString(src.resolve("example/server/Server.kt"), docs.block("Server.kt"));
        String modulePath = join(Artifacts.kotlinModulePath());

        // kotlinc as the page runs it, from kotlin-compiler-embeddable in a JVM of its own (no daemon).
        List<String> kotlinc = List.of(Artifacts.java(Artifacts.currentJdk()), "-cp", join(Artifacts.kotlinCompilerClassPath()),
                "org.jetbrains.kotlin.cli.jvm.K2JVMCompiler", "-no-stdlib", "-jvm-target", "17",
                "-Xmodule-path=" + modulePath, "-d", classes.toString(), moduleInfo.toString(), server.toString());
        Proc k = Proc.run(kotlinc, WORK, WORK, "kotlinc", 90);
        assertEquals(0, k.exit(), "kotlinc failed\n" + k.tail());
        Path javac = Artifacts.currentJdk().resolve("bin/javac");
        Proc j = Proc.run(List.of(javac.toString(), "--release", "17", "--module-path", modulePath,
                "--patch-module", "example.server=" + classes, "-d", classes.toString(), moduleInfo.toString()),
                WORK, WORK, "javac", 60);
        assertEquals(0, j.exit(), "javac failed\n" + j.tail());

        List<String> run = List.of(Artifacts.java(Artifacts.currentJdk()),
                "--module-path", classes + File.pathSeparator + modulePath,
                "-m", "example.server/example.server.ServerKt", "127.0.0.1:0");
        try (Proc s = Proc.start(run, WORK, WORK, "server")) {
            String listening = s.awaitLine("listening on ", 60);
            int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1));
            byte[] line = "hello, netpoll\n".getBytes(StandardCharsets.UTF_8);
            byte[] echo;
            try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
                c.setSoTimeout(30_000);
                OutputStream out = c.getOutputStream();
                out.write(line);
                out.flush();
                InputStream in = c.getInputStream();
                echo = in.readNBytes(line.length);
            } catch (IOException e) {
                throw new AssertionError("no echo from the server\n" + s.tail(), e);
            }
            assertEquals("hello, netpoll\n", new String(echo, StandardCharsets.UTF_8), "the echo\n" + s.tail());
        }
    }

    private static String join(List<Path> jars) {
        return jars.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    }
}
