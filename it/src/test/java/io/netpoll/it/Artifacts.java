package io.netpoll.it;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Where the build put what these tests use (system properties set in it/pom.xml). */
final class Artifacts {
    /** The JDK 25 the root pom's virtual-threads profile also uses; absent on some machines. */
    static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

    private Artifacts() {}

    static String property(String name) {
        String v = System.getProperty(name);
        if (v == null || v.isEmpty()) throw new IllegalStateException("-D" + name + " is not set (it/pom.xml sets it for surefire)");
        return v;
    }

    static Path root() {
        return Path.of(property("netpoll.root")).toAbsolutePath().normalize();
    }

    static String version() {
        return property("netpoll.version");
    }

    /** The JDK running these tests (the project's default, 17). */
    static Path currentJdk() {
        return Path.of(System.getProperty("java.home"));
    }

    static boolean hasJdk25() {
        return Files.isExecutable(JDK25.resolve("bin/java"));
    }

    static String java(Path jdk) {
        return jdk.resolve("bin/java").toString();
    }

    /**
     * The jar a class was loaded from, without initialising the class. In the reactor's
     * integration-test phase Maven gives this module the upstream modules' packaged jars.
     */
    static Path jarOf(String className) {
        try {
            Class<?> c = Class.forName(className, false, Artifacts.class.getClassLoader());
            Path p = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException(className + " was loaded from " + p + ", not from a jar: run mvn verify");
            }
            return p;
        } catch (ClassNotFoundException | URISyntaxException e) {
            throw new IllegalStateException(className, e);
        }
    }

    /**
     * A JPMS application's module path for netpoll-net: the netpoll jars and what their POMs
     * bring (JNA, the Kotlin standard library, kotlinx-coroutines). Not the scheduler, which
     * netpoll-net does not need.
     */
    static List<Path> netModulePath() {
        List<Path> jars = new ArrayList<>();
        for (String c : List.of("io.netpoll.net.Net", "io.netpoll.poller.Netpoll", "com.sun.jna.Native",
                "kotlin.Unit", "kotlinx.coroutines.Job")) {
            jars.add(jarOf(c));
        }
        return jars;
    }

    /** The module path of a Kotlin application on {@code Dispatchers.Netpoll}: {@link #netModulePath} and the scheduler. */
    static List<Path> kotlinModulePath() {
        List<Path> jars = netModulePath();
        jars.add(jarOf("io.netpoll.dispatcher.NetpollDispatcher"));
        return jars;
    }

    /**
     * The Kotlin compiler's class path (kotlin-compiler-embeddable and what it runs on), from this
     * module's test dependencies: the compiler, the standard library, kotlinx-coroutines and the
     * JetBrains annotations, which it writes on the code it generates.
     */
    static List<Path> kotlinCompilerClassPath() {
        List<Path> jars = new ArrayList<>();
        for (String c : List.of("org.jetbrains.kotlin.cli.jvm.K2JVMCompiler", "kotlin.Unit", "kotlinx.coroutines.Job",
                "org.jetbrains.annotations.NotNull")) {
            jars.add(jarOf(c));
        }
        return jars;
    }

    /**
     * Lines of a JVM's stderr that are warnings (the JDK prints each as "WARNING: ..."), and the
     * poller's note that it fell back to JNA on a JDK with FFM because native access was not
     * enabled for it: a launch that lets the poller use FFM has neither.
     */
    static List<String> warnings(String stderr) {
        return stderr.lines().filter(l -> l.startsWith("WARNING") || l.contains("netpoll: C calls through JNA")).toList();
    }
}
