package io.netpoll.docs

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.ints.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import java.nio.file.Files
import java.nio.file.Path
import kotlin.io.path.exists
import kotlin.io.path.extension
import kotlin.io.path.invariantSeparatorsPathString
import kotlin.io.path.isDirectory
import kotlin.io.path.isRegularFile
import kotlin.io.path.name
import kotlin.io.path.readLines
import kotlin.io.path.readText

/**
 * The documentation cannot drift from the code or point nowhere:
 * - every `kotlin` and `java` code block in the repository's Markdown appears verbatim (line by
 *   line, indentation aside) in a test source, where it is compiled and run ([DocsExamplesSpec]
 *   runs this package's examples). A build-script block (its info string names
 *   `build.gradle.kts`) is configuration, not an example, and is left to the build;
 * - every relative link resolves to a file of the repository, and an anchor to a heading there;
 * - no document names a path of one machine.
 */
class DocsSpec : FunSpec({
    val root = repositoryRoot()
    val docs = markdownFiles(root)
    val sources = testSources(root)

    test("the repository's documents are found") {
        docs.map { root.relativize(it).invariantSeparatorsPathString }.toSet().let {
            it.contains("README.md") shouldBe true
            it.contains("docs/net.md") shouldBe true
        }
    }

    test("every kotlin and java block in the docs is a test source's code, verbatim") {
        val blocks = docs.flatMap { codeBlocks(it) }.filter { it.checked }
        blocks.size shouldBeGreaterThan 5
        val missing = blocks.mapNotNull { b ->
            if (sources.any { indexOf(it.second, b.lines) >= 0 }) null
            else "${root.relativize(b.file)}:${b.line}: ```${b.info} block found in no test source; ${closest(sources, b.lines)}"
        }
        missing.shouldBeEmpty()
    }

    test("a block changed in one line is no longer found (the check above can fail)") {
        val block = docs.flatMap { codeBlocks(it) }.first { it.checked && it.lines.size > 3 }
        val changed = block.lines.toMutableList().also { it[2] = it[2] + " // changed" }
        sources.any { indexOf(it.second, block.lines) >= 0 } shouldBe true
        sources.any { indexOf(it.second, changed) >= 0 } shouldBe false
    }

    test("every relative link resolves inside the repository, anchors included") {
        val broken = docs.flatMap { doc -> links(doc).mapNotNull { (line, target) -> brokenLink(root, doc, target)?.let { "${root.relativize(doc)}:$line: $target: $it" } } }
        broken.shouldBeEmpty()
    }

    test("no document names a machine's paths or files outside the repository") {
        val machinePaths = Regex("""(/usr/lib/jvm|/work/|/tmp/|/home/|/root/|/Users/|[A-Z]:\\\\|\.\./shared|DESIGN\.md|STYLE\.md)""")
        val found = docs.flatMap { doc ->
            doc.readLines().withIndex().mapNotNull { (i, l) -> machinePaths.find(l)?.let { "${root.relativize(doc)}:${i + 1}: ${it.value}" } }
        }
        found.shouldBeEmpty()
    }

    test("the slug of a heading is GitHub's") {
        slug("### `resp` — an in-memory Redis (the main job)") shouldBe "resp--an-in-memory-redis-the-main-job"
        slug("## Using the libraries in your build") shouldBe "using-the-libraries-in-your-build"
        slug("## net-kt: Go's net package") shouldBe "net-kt-gos-net-package"
    }
})

/**
 * One fenced code block: where it starts, its info string, its lines, trimmed, and the name an
 * `<!-- it: NAME -->` comment on the line before it gives it: such a block is read from the
 * document and built by the `it` module's tests (docs/build.md), so it need not be in a test source.
 */
class CodeBlock(val file: Path, val line: Int, val info: String, val lines: List<String>, val itName: String? = null) {
    val checked: Boolean
        get() = info.substringBefore(' ') in setOf("kotlin", "kt", "java") && "build.gradle.kts" !in info && itName == null
}

private fun repositoryRoot(): Path {
    var dir: Path? = Path.of("").toAbsolutePath()
    while (dir != null && !(dir.resolve(".ci/run").exists() && dir.resolve("pom.xml").exists())) {
        dir = dir.parent
    }
    return checkNotNull(dir) { "no repository root (a directory with .ci/run) above ${Path.of("").toAbsolutePath()}" }
}

/** The repository's Markdown, but not build output nor the generated benchmark reports. */
private fun markdownFiles(root: Path): List<Path> = Files.walk(root).use { s ->
    s.filter { it.isRegularFile() && it.extension == "md" }
        .filter { p -> root.relativize(p).none { it.name == "target" || it.name.startsWith(".") || it.name == "node_modules" } }
        .filter { !root.relativize(it).invariantSeparatorsPathString.startsWith("benchmarks/results/") }
        .sorted().toList()
}

/** Every module's test sources, as (path, trimmed lines). */
private fun testSources(root: Path): List<Pair<Path, List<String>>> = Files.list(root).use { modules ->
    modules.filter { it.resolve("src/test").isDirectory() }.toList()
}.flatMap { m ->
    Files.walk(m.resolve("src/test")).use { s -> s.filter { it.extension == "kt" || it.extension == "java" }.toList() }
}.map { it to it.readLines().map(String::trim) }

fun codeBlocks(doc: Path): List<CodeBlock> {
    val out = mutableListOf<CodeBlock>()
    var open: Pair<Int, String>? = null
    var itName: String? = null
    var previous = ""
    val body = mutableListOf<String>()
    doc.readLines().forEachIndexed { i, raw ->
        val l = raw.trim()
        if (open == null && l.startsWith("```")) {
            open = (i + 1) to l.removePrefix("```").trim()
            itName = Regex("^<!-- it: (\\S+) -->$").find(previous)?.groupValues?.get(1)
            body.clear()
        } else if (open != null && l == "```") {
            val trimmed = body.map(String::trim).dropWhile(String::isEmpty).dropLastWhile(String::isEmpty)
            out += CodeBlock(doc, open!!.first, open!!.second, trimmed, itName)
            open = null
        } else if (open != null) {
            body += raw
        }
        if (l.isNotEmpty()) previous = l
    }
    return out
}

/** Where [block] starts in [lines] as a contiguous run, or -1. */
fun indexOf(lines: List<String>, block: List<String>): Int {
    if (block.isEmpty()) return 0
    for (start in 0..lines.size - block.size) {
        if (block.indices.all { lines[start + it] == block[it] }) return start
    }
    return -1
}

/** The test source that matches most of [block] from its start, and its first differing line. */
private fun closest(sources: List<Pair<Path, List<String>>>, block: List<String>): String {
    var best: Triple<Path, Int, Int>? = null
    for ((path, lines) in sources) {
        for (start in lines.indices) {
            var n = 0
            while (n < block.size && start + n < lines.size && lines[start + n] == block[n]) n++
            if (n > 0 && (best == null || n > best.third)) best = Triple(path, start + n + 1, n)
        }
    }
    return best?.let { (p, line, n) -> "closest: ${p.fileName}:$line, where the block's line ${n + 1} \"${block[n]}\" differs" }
        ?: "its first line matches nowhere"
}

/** (line, target) of each Markdown link and image outside code. */
fun links(doc: Path): List<Pair<Int, String>> {
    val inline = Regex("""!?\[[^\]]*]\(([^)\s]+)(?:\s+"[^"]*")?\)""")
    val reference = Regex("""^\s*\[[^\]]+]:\s*(\S+)""")
    val out = mutableListOf<Pair<Int, String>>()
    var inFence = false
    doc.readLines().forEachIndexed { i, raw ->
        if (raw.trim().startsWith("```")) {
            inFence = !inFence
            return@forEachIndexed
        }
        if (inFence) return@forEachIndexed
        val l = raw.replace(Regex("`[^`]*`"), "")
        inline.findAll(l).forEach { out += (i + 1) to it.groupValues[1] }
        reference.find(l)?.let { out += (i + 1) to it.groupValues[1] }
    }
    return out
}

/** Why [target], linked from [doc], does not resolve in the repository; null if it does. */
private fun brokenLink(root: Path, doc: Path, target: String): String? {
    if (Regex("^[a-z][a-z0-9+.-]*:", RegexOption.IGNORE_CASE).containsMatchIn(target)) return null  // https:, mailto:
    val file = target.substringBefore('#')
    val anchor = target.substringAfter('#', "")
    val resolved = if (file.isEmpty()) doc else doc.parent.resolve(file).normalize()
    if (!resolved.startsWith(root)) return "points outside the repository"
    if (!resolved.exists()) return "no such file"
    if (anchor.isNotEmpty() && resolved.extension == "md" && anchor !in headingSlugs(resolved)) return "no heading #$anchor there"
    return null
}

private fun headingSlugs(doc: Path): Set<String> {
    val seen = mutableMapOf<String, Int>()
    var inFence = false
    return doc.readText().lines().mapNotNull { l ->
        if (l.trim().startsWith("```")) inFence = !inFence
        if (inFence || !Regex("^#{1,6} ").containsMatchIn(l)) null
        else slug(l).let { s -> val n = seen.merge(s, 1) { a, b -> a + b }!!; if (n == 1) s else "$s-${n - 1}" }
    }.toSet()
}

/** GitHub's anchor for a heading line: lower case, punctuation dropped, spaces to hyphens. */
fun slug(heading: String): String = heading.trimStart('#').trim()
    .replace(Regex("""\[([^\]]*)]\([^)]*\)"""), "$1")
    .lowercase()
    .replace(Regex("""[^\p{L}\p{N}\p{M} _-]"""), "")
    .replace(' ', '-')
