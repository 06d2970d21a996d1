package io.netpoll.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The newcomer's path of docs/build.md, the way a user takes it: a Kotlin server project and a
 * Java client project, each with its own POM made of the page's blocks (BOM import, dependencies,
 * shade configuration) and the page's sources, built by Maven from a local repository that holds
 * what `mvn install` of this repository installs (it/pom.xml installs it there). The build runs
 * offline: every third-party artifact comes from this build's own local repository, read through
 * a file:// mirror, and nothing else of this repository is on its path. Then the server runs, the
 * client talks to it, and the client prints what the server echoed.
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class MavenConsumerTest {
    private static final Path WORK = Path.of("target/consumer").toAbsolutePath();

    @Test
    void aKotlinServerAndAJavaClientEachBuiltFromTheInstalledArtifactsTalkToEachOther() throws Exception {
        Docs docs = Docs.buildPage();
        String version = Artifacts.version();
        Path repo = Path.of(Artifacts.property("netpoll.consumerRepo"));
        for (String installed : List.of("netpoll-parent/%1$s/netpoll-parent-%1$s.pom", "netpoll-bom/%1$s/netpoll-bom-%1$s.pom",
                "netpoll-net/%1$s/netpoll-net-%1$s.jar", "netpoll-dispatcher/%1$s/netpoll-dispatcher-%1$s.jar",
                "netpoll-poller/%1$s/netpoll-poller-%1$s.jar")) {
            Path p = repo.resolve("io/netpoll").resolve(String.format(installed, version));
            assertTrue(Files.isRegularFile(p), p + " is installed (it/pom.xml, pre-integration-test)");
        }
        JpmsApplicationTest.deleteTree(WORK);
        Path settings = WORK.resolve("settings.xml");
        Files.createDirectories(WORK);
        Files.writeString(settings, settings(Path.of(Artifacts.property("netpoll.thirdPartyRepo"))));

        Path server = project("echo-server", docs, "src/main/kotlin/example/server/Server.kt", docs.block("Server.kt"));
        Path client = project("echo-client", docs, "src/main/java/example/client/Client.java", docs.block("Client.java"));
        build(server, repo, settings);
        build(client, repo, settings);
        Path serverJar = server.resolve("target/echo-server-1.0.jar");
        Path clientJar = client.resolve("target/echo-client-1.0.jar");

        // A Java application gets no scheduler: netpoll-net does not bring it.
        try (JarFile jar = new JarFile(clientJar.toFile())) {
            assertNotNull(jar.getEntry("io/netpoll/net/Net.class"));
            assertNull(jar.getEntry("io/netpoll/dispatcher/NetpollDispatcher.class"), "netpoll-dispatcher in the Java client's jar");
        }

        // On JDK 25 both start without native-access warnings: the manifest attribute from the
        // page's shade configuration does it (java -jar reads it).
        Path jdk = Artifacts.hasJdk25() ? Artifacts.JDK25 : Artifacts.currentJdk();
        try (Proc s = Proc.start(List.of(Artifacts.java(jdk), "-jar", serverJar.toString(), "127.0.0.1:0"), WORK, WORK, "server")) {
            String listening = s.awaitLine("listening on ", 60);
            String address = "127.0.0.1:" + listening.substring(listening.lastIndexOf(':') + 1);
            Proc c = Proc.run(List.of(Artifacts.java(jdk), "-jar", clientJar.toString(), address), WORK, WORK, "client", 60);
            assertEquals(0, c.exit(), "client\n" + c.tail());
            assertEquals("echoed: hello, netpoll\n", c.out());
            s.close();
            if (Artifacts.hasJdk25()) {
                assertEquals(List.of(), Artifacts.warnings(c.err()), "client on JDK 25");
                assertEquals(List.of(), Artifacts.warnings(s.err()), "server on JDK 25");
            } else {
                System.out.println("SKIP: no JDK 25 at " + Artifacts.JDK25 + ": the consumer jars ran on "
                        + jdk + ", where no native-access warning is due");
            }
        }
    }

    @Test
    void theGradleLinesImportTheBomAtThisVersionAndNameTheArtifactsTheMavenBlocksDo() throws Exception {
        Docs docs = Docs.buildPage();
        String gradle = docs.block("gradle");
        Matcher platform = Pattern.compile("platform\\(\"io\\.netpoll:netpoll-bom:([^\"]+)\"\\)").matcher(gradle);
        assertTrue(platform.find(), gradle);
        assertEquals(Artifacts.version(), platform.group(1));
        assertEquals(Artifacts.version(), text(xml(docs.block("maven-bom")), "version"));

        Set<String> gradleArtifacts = new TreeSet<>();
        Matcher impl = Pattern.compile("implementation\\(\"io\\.netpoll:([^:\"]+)\"\\)").matcher(gradle);
        while (impl.find()) gradleArtifacts.add(impl.group(1));
        assertEquals(artifactIds(xml(docs.block("maven-kotlin-dependencies"))), gradleArtifacts);

        Element bom = (Element) DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(Artifacts.root().resolve("bom/pom.xml").toFile()).getDocumentElement();
        assertTrue(artifactIds(bom).containsAll(gradleArtifacts), "the BOM manages " + gradleArtifacts);
    }

    /** A project directory: its POM from the template, the page's blocks filled in, and one source. */
    private static Path project(String name, Docs docs, String source, String code) throws Exception {
        Path dir = WORK.resolve(name);
        Files.createDirectories(dir.resolve(source).getParent());
        Files.writeString(dir.resolve(source), code);
        String pom = resource(name + ".pom.xml")
                .replace("@plugin-versions@", resource("plugin-versions.xml"))
                .replace("@kotlin.version@", Artifacts.property("netpoll.kotlinVersion"));
        Matcher m = Pattern.compile("@([A-Za-z.-]+)@").matcher(pom);
        StringBuilder filled = new StringBuilder();
        while (m.find()) m.appendReplacement(filled, Matcher.quoteReplacement(docs.block(m.group(1))));
        m.appendTail(filled);
        Files.writeString(dir.resolve("pom.xml"), filled.toString());
        return dir;
    }

    /**
     * mvn package, offline, with {@code repo} as the local repository. -o keeps every remote away;
     * aether.offline.protocols=file lets the resolver still read the file:// mirror of
     * {@code settings}, this build's own local repository, for the third-party artifacts. Kotlin
     * compiles in Maven's JVM: its default daemon would outlive the test by hours.
     */
    private static void build(Path project, Path repo, Path settings) throws Exception {
        Path mvn = Path.of(Artifacts.property("netpoll.mavenHome"), "bin/mvn");
        Proc p = Proc.run(List.of(mvn.toString(), "-B", "-o", "-Daether.offline.protocols=file", "-s", settings.toString(),
                        "-Dmaven.repo.local=" + repo, "-Dkotlin.compiler.daemon=false", "package"),
                project, WORK, project.getFileName() + "-build", 300);
        assertEquals(0, p.exit(), "mvn package in " + project + "\n" + p.tail());
    }

    private static String settings(Path thirdParty) {
        return """
                <settings>
                  <mirrors>
                    <mirror>
                      <id>build-local-repository</id>
                      <mirrorOf>*</mirrorOf>
                      <url>%s</url>
                    </mirror>
                  </mirrors>
                </settings>
                """.formatted(thirdParty.toUri());
    }

    private static String resource(String name) throws Exception {
        try (InputStream in = MavenConsumerTest.class.getResourceAsStream("/consumer/" + name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Element xml(String fragment) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(fragment.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
    }

    /** The artifactIds of every io.netpoll dependency under {@code e}. */
    private static Set<String> artifactIds(Element e) {
        Set<String> ids = new TreeSet<>();
        NodeList deps = e.getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            if ("io.netpoll".equals(text(d, "groupId"))) ids.add(text(d, "artifactId"));
        }
        return ids;
    }

    /** The text of the first {@code tag} element under {@code e}. */
    private static String text(Element e, String tag) {
        NodeList n = e.getElementsByTagName(tag);
        return n.getLength() == 0 ? null : n.item(0).getTextContent().trim();
    }
}
