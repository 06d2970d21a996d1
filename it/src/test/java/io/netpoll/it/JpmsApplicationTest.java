package io.netpoll.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A JPMS application, as docs/build.md shows it: the Java client with the page's module-info
 * ({@code requires io.netpoll.net;} and nothing else), compiled by javac against the packaged jars
 * on the module path and run with {@code java --module-path ... -m}. It dials a java.net echo
 * server and prints what came back, so it passes only if the module graph resolves, the Kotlin
 * classes behind the facade load (the standard library comes through {@code requires transitive})
 * and JNA loads its native library and binds the poller's natives from the module path.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JpmsApplicationTest {
    private static final Path WORK = Path.of("target/jpms").toAbsolutePath();
    private static Path classes;
    private static String modulePath;

    /** Compiles the page's client once, as module example.client, into target/jpms/out. */
    @BeforeAll
    static void compile() throws Exception {
        Docs docs = Docs.buildPage();
        Path src = WORK.resolve("src");
        classes = WORK.resolve("out");
        deleteTree(WORK);
        Files.createDirectories(src.resolve("example/client"));
        Files.writeString(src.resolve("module-info.java"), docs.block("module-info.java"));
        Files.writeString(src.resolve("example/client/Client.java"), docs.block("Client.java"));
        modulePath = Artifacts.netModulePath().stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));

        Path javac = Artifacts.currentJdk().resolve("bin/javac");
        Proc c = Proc.run(List.of(javac.toString(), "--release", "17", "-d", classes.toString(), "--module-path", modulePath,
                src.resolve("module-info.java").toString(), src.resolve("example/client/Client.java").toString()),
                WORK, WORK, "javac", 60);
        assertEquals(0, c.exit(), "javac failed\n" + c.tail());
    }

    @Test
    void theLibraryJarsAreNamedModulesThatRequireTheKotlinRuntimeTransitively() {
        ModuleFinder finder = ModuleFinder.of(Artifacts.netModulePath().toArray(Path[]::new));
        ModuleDescriptor net = finder.find("io.netpoll.net").orElseThrow().descriptor();
        assertFalse(net.isAutomatic(), "io.netpoll.net has a module-info");
        Set<String> transitive = net.requires().stream()
                .filter(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE))
                .map(ModuleDescriptor.Requires::name).collect(Collectors.toSet());
        assertEquals(Set.of("kotlin.stdlib", "kotlinx.coroutines.core", "io.netpoll.poller"), transitive);
        assertFalse(finder.find("io.netpoll.poller").orElseThrow().descriptor().isAutomatic(), "io.netpoll.poller has a module-info");
    }

    @Test
    void theClientRequiringOnlyIoNetpollNetRunsOnTheModulePathAndCarriesALine() throws Exception {
        try (EchoPeer peer = new EchoPeer()) {
            Proc run = runClient(Artifacts.currentJdk(), List.of(), peer.address(), "run-jdk17");
            assertEquals(0, run.exit(), "the JPMS client failed\n" + run.tail());
            assertEquals("echoed: hello, netpoll\n", run.out());
            assertEquals("hello, netpoll\n", peer.received());
        }
    }

    /**
     * On JDK 25 the JNI restrictions apply: the page's module-path flag silences them. The same
     * run without it must warn, or this test could not tell a silenced start from a JDK that no
     * longer warns.
     */
    @Test
    void onJdk25ThePagesNativeAccessFlagStartsTheModuleWithoutWarnings() throws Exception {
        assumeTrue(Artifacts.hasJdk25(), () -> {
            System.out.println("SKIP: no JDK 25 at " + Artifacts.JDK25 + ": the native-access flag is checked on JDK 24+ only");
            return "no JDK 25";
        });
        String flag = "--enable-native-access=" + Docs.buildPage().nativeAccessFlag("modulepath-launch");
        try (EchoPeer peer = new EchoPeer()) {
            Proc run = runClient(Artifacts.JDK25, List.of(flag), peer.address(), "run-jdk25-flag");
            assertEquals(0, run.exit(), run.tail());
            assertEquals("echoed: hello, netpoll\n", run.out());
            assertEquals(List.of(), Artifacts.warnings(run.err()), "with " + flag);
        }
        try (EchoPeer peer = new EchoPeer()) {
            Proc run = runClient(Artifacts.JDK25, List.of(), peer.address(), "run-jdk25-no-flag");
            assertEquals(0, run.exit(), run.tail());
            assertTrue(run.err().contains("--enable-native-access"), "without the flag JDK 25 warns\n" + run.tail());
        }
    }

    private static Proc runClient(Path jdk, List<String> jvmArgs, String address, String name) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Artifacts.java(jdk));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("--module-path", classes + File.pathSeparator + modulePath,
                "-m", "example.client/example.client.Client", address));
        return Proc.run(cmd, WORK, WORK, name, 60);
    }

    static void deleteTree(Path dir) throws Exception {
        if (!Files.exists(dir)) return;
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
