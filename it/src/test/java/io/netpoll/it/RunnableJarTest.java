package io.netpoll.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * netpoll-samples.jar on JDK 25, where loading and binding native code warns unless native access
 * is enabled: started with {@code java -jar}, its manifest's {@code Enable-Native-Access:
 * ALL-UNNAMED} enables it. Each run starts the echo server and echoes a line through it, so JNA
 * has loaded its library and bound the poller's natives before stderr is read.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RunnableJarTest {
    private static final Path WORK = Path.of("target/runnable-jar").toAbsolutePath();
    private static Path jar;

    @BeforeAll
    static void jdk25AndTheJar() {
        assumeTrue(Artifacts.hasJdk25(), () -> {
            System.out.println("SKIP: no JDK 25 at " + Artifacts.JDK25 + ": native-access warnings exist on JDK 24+ only");
            return "no JDK 25";
        });
        jar = Path.of(Artifacts.property("netpoll.samplesJar"));
        assertTrue(Files.isRegularFile(jar), jar + " (samples, package phase)");
    }

    @Test
    void startedWithJavaJarItPrintsNoWarnings() throws Exception {
        assertEquals(List.of(), echo("jar", List.of("-jar", jar.toString())));
    }

    /**
     * The checks of the other tests can fail: started from the class path, where the manifest
     * attribute does not apply, the same jar warns; the page's class-path flag silences it.
     */
    @Test
    void fromTheClassPathItWarnsUnlessThePagesFlagIsGiven() throws Exception {
        List<String> warnings = echo("classpath", List.of("-cp", jar.toString(), "io.netpoll.samples.MainKt"));
        assertFalse(warnings.isEmpty(), "JDK 25 warns when native access is not enabled");
        assertTrue(String.join("\n", warnings).contains("--enable-native-access"), String.join("\n", warnings));

        String flag = "--enable-native-access=" + Docs.buildPage().nativeAccessFlag("classpath-launch");
        assertEquals(List.of(), echo("classpath-flag", List.of(flag, "-cp", jar.toString(), "io.netpoll.samples.MainKt")));
    }

    /** Runs the echo sample on JDK 25 with {@code launch}, echoes a line, stops it; its stderr warnings. */
    private static List<String> echo(String name, List<String> launch) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Artifacts.java(Artifacts.JDK25));
        cmd.addAll(launch);
        cmd.addAll(List.of("echo", "--addr", "127.0.0.1:0"));
        try (Proc p = Proc.start(cmd, WORK.getParent(), WORK, name)) {
            String line = p.awaitLine("echo: listening on 127.0.0.1:", 30);
            int port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1));
            try (Socket s = new Socket("127.0.0.1", port); OutputStream out = s.getOutputStream(); InputStream in = s.getInputStream()) {
                s.setSoTimeout(10_000);
                out.write("ping\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("ping\n", new String(in.readNBytes(5), StandardCharsets.US_ASCII));
            }
            p.close();
            assertEquals(0, p.exit(), "the echo server stops on SIGTERM with status 0\n" + p.tail());
            return Artifacts.warnings(p.err());
        }
    }
}
