package io.netpoll.samples

import io.kotest.assertions.withClue
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import io.netpoll.dispatcher.NetpollDispatcher
import io.netpoll.micrometer.NetpollDispatcherMetrics
import io.netpoll.net.Net
import io.netpoll.poller.Netpoll
import java.io.File
import java.lang.module.Configuration
import java.lang.module.ModuleFinder
import java.nio.file.Files
import java.nio.file.Path
import javax.xml.parsers.DocumentBuilderFactory
import org.w3c.dom.Element

/**
 * The library jars as users get them: each is a named JPMS module, they resolve together on the
 * module path, and netpoll-bom manages exactly them at the build's version. (it/ runs a JPMS
 * application on them.)
 *
 * This module's tests see the upstream modules' packaged jars: in a reactor build that reaches
 * `package` (`mvn verify`), Maven hands a downstream module the jar of a module already packaged,
 * not its target/classes. Under `mvn test` it gets the directories: the jar checks then skip with
 * the reason printed, and fail under CI=1, which runs `mvn verify`.
 */
class ArtifactsSpec : StringSpec({
    /** [named]: a module-info; else an automatic module named by its manifest (netpoll-micrometer, whose Micrometer is one too). */
    class Library(val artifactId: String, val moduleName: String, val location: Path, val named: Boolean = true)

    // A class of each library, loaded without initialising it: where it came from is that jar.
    val libraries = listOf(
        Library("netpoll-poller", "io.netpoll.poller", locationOf(Netpoll::class.java)),
        Library("netpoll-dispatcher", "io.netpoll.dispatcher", locationOf(NetpollDispatcher::class.java)),
        Library("netpoll-net", "io.netpoll.net", locationOf(Net::class.java)),
        Library("netpoll-micrometer", "io.netpoll.micrometer", locationOf(NetpollDispatcherMetrics::class.java), named = false),
    )
    val unpackaged = libraries.filter { Files.isDirectory(it.location) }
    val jarsHere = unpackaged.isEmpty()
    if (!jarsHere) {
        val where = unpackaged.joinToString { "${it.artifactId} from ${it.location}" }
        println(
            if (Tools.ci) "MISSING: library jars ($where); with CI=1 the artifact checks fail (run mvn verify)"
            else "SKIP: the library classes come from directories, not jars ($where): run mvn verify to check the jars"
        )
    }

    "each library jar is a named module (module-info.class), or for netpoll-micrometer an automatic one under its manifest name".config(enabled = jarsHere || Tools.ci) {
        for (lib in libraries) {
            withClue("${lib.artifactId} at ${lib.location}") {
                Files.isRegularFile(lib.location) shouldBe true
                val descriptor = ModuleFinder.of(lib.location).findAll().single().descriptor()
                descriptor.name() shouldBe lib.moduleName
                descriptor.isAutomatic shouldBe !lib.named
            }
        }
    }

    "the library jars resolve together on the module path, with what their POMs bring".config(enabled = jarsHere || Tools.ci) {
        // JNA, the Kotlin standard library, kotlinx-coroutines and Micrometer, from this module's class path.
        val thirdParty = listOf(
            com.sun.jna.Native::class.java, Unit::class.java, kotlinx.coroutines.Job::class.java,
            io.micrometer.core.instrument.MeterRegistry::class.java,
        ).map(::locationOf)
        val finder = ModuleFinder.of(*(libraries.map { it.location } + thirdParty).toTypedArray())
        // Resolving fails if two of them hold the same package (a split package) or one requires
        // a module that is missing.
        val resolved = Configuration.resolve(
            finder, listOf(ModuleLayer.boot().configuration()), ModuleFinder.of(), libraries.map { it.moduleName },
        )
        resolved.modules().map { it.name() }.toSet() shouldBe
            libraries.map { it.moduleName }.toSet() + setOf("com.sun.jna", "kotlin.stdlib", "kotlinx.coroutines.core", "micrometer.core")
    }

    // The BOM has no parent (netpoll-parent's dependencyManagement would leak into importers), so
    // its version is not inherited: this keeps it from falling behind a version bump.
    "netpoll-bom manages exactly the library artifacts, at the build's version" {
        val root = File(System.getProperty("basedir", ".")).canonicalFile.parentFile // surefire sets basedir
        val parent = pom(File(root, "pom.xml"))
        val bom = pom(File(root, "bom/pom.xml"))
        text(bom, "artifactId") shouldBe "netpoll-bom"
        text(bom, "version") shouldBe text(parent, "version")
        val managed = bom.getElementsByTagName("dependency").let { deps ->
            (0 until deps.length).map { i ->
                val dep = deps.item(i) as Element
                "${text(dep, "groupId")}:${text(dep, "artifactId")}:${text(dep, "version")}"
            }
        }
        managed shouldBe libraries.map { "io.netpoll:${it.artifactId}:\${project.version}" }
    }
})

private fun locationOf(c: Class<*>): Path = Path.of(c.protectionDomain.codeSource.location.toURI())

private fun pom(file: File): Element =
    DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file).documentElement

/** The text of [parent]'s own child element [tag] (not a nested one's). */
private fun text(parent: Element, tag: String): String? {
    val children = parent.childNodes
    for (i in 0 until children.length) {
        val n = children.item(i)
        if (n is Element && n.tagName == tag) return n.textContent.trim()
    }
    return null
}
