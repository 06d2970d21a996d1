package io.netpoll.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The -javadoc.jars the release profile builds (javadoc for netpoll-poller, Dokka for the Kotlin
 * modules): each opens on an index and has the page of its module's main class. .ci/run builds
 * with -Prelease, so this runs there; without the profile it skips.
 */
class JavadocJarsTest {
    private record Library(String dir, String artifactId, String mainClassPage) {}

    @Test
    void eachLibraryHasAJavadocJarWithItsMainClassesPage() throws Exception {
        assumeTrue(Boolean.getBoolean("netpoll.javadocJars"), () -> {
            System.out.println("SKIP: the -javadoc.jars are built with -Prelease (.ci/run builds with it)");
            return "no -Prelease";
        });
        for (Library lib : List.of(
                new Library("poller-java", "netpoll-poller", "io/netpoll/poller/fd/NetFD.html"),
                new Library("dispatcher-kt", "netpoll-dispatcher", "io/netpoll/dispatcher/NetpollDispatcher.html"),
                new Library("net-kt", "netpoll-net", "io/netpoll/net/Net.html"))) {
            Path jar = Artifacts.root().resolve(lib.dir()).resolve("target")
                    .resolve(lib.artifactId() + "-" + Artifacts.version() + "-javadoc.jar");
            assertTrue(Files.isRegularFile(jar), jar.toString());
            try (JarFile j = new JarFile(jar.toFile())) {
                assertNotNull(j.getEntry("index.html"), jar + " has index.html");
                // javadoc puts a named module's pages under a directory named after the module
                assertTrue(j.stream().anyMatch(e -> e.getName().endsWith(lib.mainClassPage())),
                        jar + " has " + lib.mainClassPage());
            }
        }
    }
}
