package io.netpoll.net

import io.kotest.core.spec.style.FunSpec
import io.netpoll.dispatcher.NetpollDispatcher
import io.netpoll.poller.fd.NetFD
import java.lang.module.ModuleDescriptor
import java.lang.reflect.Constructor
import java.lang.reflect.Executable
import java.lang.reflect.Field
import java.lang.reflect.Method
import java.lang.reflect.Modifier
import java.nio.file.Files
import java.nio.file.Path
import java.util.jar.JarFile
import kotlin.reflect.KVisibility

/**
 * The public API of the three library jars, as Java and Kotlin callers see it, against the dumps
 * committed in `api/<artifact>.api` at the repository root, so that every change to the surface is
 * a deliberate one that shows in review. To accept a change, regenerate the dumps and commit them:
 *
 *     mvn -B -pl poller-java,dispatcher-kt,net-kt verify -Dtest=PublicApiSpec \
 *         -Dsurefire.failIfNoSpecifiedTests=false -DvirtualThreads.skip=true -Dapi.update=true
 *
 * What counts (the JVM's view, with Kotlin's visibility applied the way the compiler applies it):
 * - public classes of the packages the jar's module-info exports (every package when it has
 *   none), except those in an `internal` package (not part of the API) and Kotlin classes
 *   declared `internal` or `private` (public to the JVM);
 * - their public and protected constructors, methods and fields, except bridges, names with a `$`
 *   (Kotlin's own: `internal` members are mangled so, and so are default-argument stubs and
 *   accessors) and constructors taking Kotlin's DefaultConstructorMarker (an accessor as well);
 * - members that Java cannot see (`@JvmSynthetic`, such as the suspend functions the Java facade
 *   covers) are listed with `synthetic` in front: they are Kotlin's API.
 *
 * Each class is one header line and one line per member, sorted, with generic types as the
 * JVM records them; Kotlin's nullability is not in it.
 */
class PublicApiSpec : FunSpec({
    val root: Path = Path.of(System.getProperty("basedir") ?: ".").toAbsolutePath().normalize().parent
    val update = System.getProperty("api.update").let { it != null && it != "false" }

    for ((artifact, anchor) in listOf(
        "netpoll-poller" to NetFD::class.java,
        "netpoll-dispatcher" to NetpollDispatcher::class.java,
        "netpoll-net" to Conn::class.java,
    )) {
        test("the public API of $artifact is the one in api/$artifact.api") {
            val actual = ApiDump.of(anchor)
            val file = root.resolve("api").resolve("$artifact.api")
            if (update) {
                Files.createDirectories(file.parent)
                Files.writeString(file, actual)
                println("PublicApiSpec: wrote $file")
                return@test
            }
            val expected = if (Files.exists(file)) Files.readString(file) else ""
            if (expected != actual) {
                throw AssertionError(ApiDump.explain(artifact, file, expected, actual))
            }
        }
    }
})

/** Reads a jar's (or classes directory's) public API; see [PublicApiSpec]. */
object ApiDump {
    /** The dump of the jar or classes directory that holds [anchor]. */
    fun of(anchor: Class<*>): String {
        val location = Path.of(anchor.protectionDomain.codeSource.location.toURI())
        val loader = anchor.classLoader
        val exported = exportedPackages(location)
        // Filtered by package before loading: an unexported package may hold classes for a newer
        // JDK than this one (the poller's FFM binding is release 22).
        return classNames(location).sorted()
            .filter { exported == null || it.substringBeforeLast('.') in exported }
            .map { Class.forName(it, false, loader) }
            .filter { isApi(it) }
            .joinToString("") { describe(it) }
    }

    /** The packages a module-info.class exports to everyone, or null if there is none (an automatic module). */
    private fun exportedPackages(location: Path): Set<String>? {
        val descriptor = if (Files.isDirectory(location)) {
            location.resolve("module-info.class").takeIf { Files.exists(it) }?.let { f -> Files.newInputStream(f).use { ModuleDescriptor.read(it) } }
        } else {
            JarFile(location.toFile()).use { jar ->
                jar.getJarEntry("module-info.class")?.let { e -> jar.getInputStream(e).use { ModuleDescriptor.read(it) } }
            }
        }
        return descriptor?.exports()?.filter { !it.isQualified }?.map { it.source() }?.toSet()
    }

    fun explain(artifact: String, file: Path, expected: String, actual: String): String {
        val before = classes(expected)
        val after = classes(actual)
        return buildString {
            append("The public API of $artifact is not the one in $file")
            if (expected.isEmpty()) append(" (no such file)")
            append(":\n")
            for (header in (before.keys + after.keys).sorted()) {
                val was = before[header]
                val now = after[header]
                when {
                    was == null -> append("+ ").append(header).append('\n')
                    now == null -> append("- ").append(header).append('\n')
                    was != now -> append("  ").append(header).append('\n')
                    else -> continue
                }
                val old = was.orEmpty()
                val new = now.orEmpty()
                old.filter { it !in new }.forEach { append("-   ").append(it).append('\n') }
                new.filter { it !in old }.forEach { append("+   ").append(it).append('\n') }
            }
            append(
                "If the change is deliberate, regenerate the dumps and commit them:\n" +
                    "  mvn -B -pl poller-java,dispatcher-kt,net-kt verify -Dtest=PublicApiSpec " +
                    "-Dsurefire.failIfNoSpecifiedTests=false -DvirtualThreads.skip=true -Dapi.update=true\n",
            )
        }
    }

    /** A dump's classes: header line to member lines. */
    private fun classes(dump: String): Map<String, List<String>> =
        dump.split("\n\n").map { it.trim('\n') }.filter { it.isNotEmpty() }.associate { block ->
            val lines = block.lines()
            lines[0] to lines.drop(1).map { it.trim() }
        }

    private fun classNames(location: Path): List<String> {
        val files: List<String> = if (Files.isDirectory(location)) {
            Files.walk(location).use { s ->
                s.filter { it.toString().endsWith(".class") }.map { location.relativize(it).toString().replace('\\', '/') }.toList()
            }
        } else {
            JarFile(location.toFile()).use { jar -> jar.entries().toList().map { it.name }.filter { it.endsWith(".class") } }
        }
        return files
            .filter { !it.startsWith("META-INF/") && !it.endsWith("module-info.class") && !it.endsWith("package-info.class") }
            .map { it.removeSuffix(".class").replace('/', '.') }
    }

    private fun isApi(c: Class<*>): Boolean {
        if (c.isSynthetic || c.isAnonymousClass || c.isLocalClass) return false
        if (c.packageName.split('.').contains("internal")) return false
        var k: Class<*>? = c
        while (k != null) {
            val nested = k.enclosingClass != null
            if (!Modifier.isPublic(k.modifiers) && !(nested && Modifier.isProtected(k.modifiers))) return false
            if (!kotlinVisible(k)) return false
            k = k.enclosingClass
        }
        return true
    }

    /** False for a Kotlin class declared internal or private (the JVM sees it as public). */
    private fun kotlinVisible(c: Class<*>): Boolean {
        val metadata = c.getAnnotation(Metadata::class.java) ?: return true
        return when (metadata.kind) {
            1 -> c.kotlin.visibility.let { it == KVisibility.PUBLIC || it == KVisibility.PROTECTED }
            2, 4 -> true // file facades: their top-level functions
            else -> false // lambdas and multi-file parts
        }
    }

    private fun describe(c: Class<*>): String {
        val header = buildString {
            append(Modifier.toString(c.modifiers and Modifier.classModifiers() and Modifier.STATIC.inv()))
            append(
                when {
                    c.isAnnotation -> " @interface "
                    c.isInterface -> " interface "
                    c.isEnum -> " enum "
                    else -> " class "
                },
            )
            append(c.name)
            val superclass = c.genericSuperclass
            if (superclass != null && superclass != Any::class.java && !c.isEnum) {
                append(" extends ").append(superclass.typeName)
            }
            if (c.genericInterfaces.isNotEmpty()) {
                append(if (c.isInterface) " extends " else " implements ")
                append(c.genericInterfaces.joinToString(", ") { it.typeName })
            }
        }
        val members = mutableListOf<String>()
        for (k in c.declaredConstructors) if (isApi(c, k)) members += member(k, c.simpleName)
        for (m in c.declaredMethods) if (isApi(c, m)) members += member(m, m.name)
        for (f in c.declaredFields) if (isApi(c, f)) members += field(f)
        return buildString {
            append(header.trim()).append('\n')
            members.sorted().forEach { append("  ").append(it).append('\n') }
            append('\n')
        }
    }

    private fun isApi(c: Class<*>, m: java.lang.reflect.Member): Boolean {
        val mods = m.modifiers
        if (!Modifier.isPublic(mods) && !(Modifier.isProtected(mods) && !Modifier.isFinal(c.modifiers))) return false
        if (m.name.contains('$')) return false
        if (m is Method && m.isBridge) return false
        if (m is Constructor<*> && m.parameterTypes.any { it.name == "kotlin.jvm.internal.DefaultConstructorMarker" }) return false
        return true
    }

    private fun member(e: Executable, name: String): String = buildString {
        if (e.isSynthetic) append("synthetic ")
        val mask = if (e is Method) Modifier.methodModifiers() else Modifier.constructorModifiers()
        val mods = Modifier.toString(e.modifiers and mask)
        if (mods.isNotEmpty()) append(mods).append(' ')
        if (e.typeParameters.isNotEmpty()) append(e.typeParameters.joinToString(", ", "<", "> ") { tv ->
            tv.name + tv.bounds.filter { it != Any::class.java }.joinToString("") { " extends " + it.typeName }
        })
        if (e is Method) append(e.genericReturnType.typeName).append(' ')
        append(name).append('(').append(e.genericParameterTypes.joinToString(", ") { it.typeName }).append(')')
        if (e.genericExceptionTypes.isNotEmpty()) {
            append(" throws ").append(e.genericExceptionTypes.joinToString(", ") { it.typeName })
        }
    }

    private fun field(f: Field): String = buildString {
        if (f.isSynthetic) append("synthetic ")
        append(Modifier.toString(f.modifiers and Modifier.fieldModifiers())).append(' ')
        append(f.genericType.typeName).append(' ').append(f.name)
    }
}
