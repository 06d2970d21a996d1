package io.netpoll.samples

import java.io.File
import java.nio.file.Files
import java.nio.file.NoSuchFileException
import java.util.concurrent.TimeUnit

/**
 * A sample server started from the command line in a child JVM (the test's own classpath, as
 * MainProcessSpec starts them), with what the reliability tests read about it from /proc:
 * descriptors, threads, resident memory and CPU time. Closing it kills the process if still alive.
 */
class ServerProcess private constructor(val name: String, val process: Process, private val err: File) : AutoCloseable {
    val pid: Long get() = process.pid()

    /** The port from the `<name>: listening on 127.0.0.1:<port>` line. */
    val port: Int

    init {
        val line = process.inputStream.bufferedReader().readLine()
            ?: throw AssertionError("$name exited before listening; stderr: ${errText()}")
        check(line.startsWith("$name: listening on 127.0.0.1:")) { "unexpected first line '$line'" }
        port = line.substringAfterLast(':').toInt()
    }

    fun errText(): String = err.readText()

    /** Open descriptors (entries of /proc/<pid>/fd). */
    fun descriptors(): Int = fdTargets().size

    /**
     * Open socket descriptors only. The JVM opens and closes files of its own at any time (a jar,
     * /proc entries); a test about connections counts the descriptors connections can leak.
     */
    fun sockets(): Int = fdTargets().count { it.startsWith("socket:") }

    /** What each open descriptor refers to (`socket:[inode]`, a path, `anon_inode:[eventpoll]`). */
    fun fdTargets(): List<String> {
        val dir = File("/proc/$pid/fd")
        val fds = dir.list() ?: throw AssertionError("$name ($pid) is gone")
        return fds.mapNotNull { fd ->
            try { Files.readSymbolicLink(dir.toPath().resolve(fd)).toString() } catch (_: NoSuchFileException) { null }
        }
    }

    fun threads(): Int = status("Threads").toInt()

    fun rssBytes(): Long = status("VmRSS").removeSuffix("kB").trim().toLong() * 1024

    /** User + system CPU time so far (/proc/<pid>/stat fields 14 and 15). */
    fun cpuNanos(): Long {
        val stat = File("/proc/$pid/stat").readText()
        val fields = stat.substringAfterLast(')').trim().split(' ')
        return (fields[11].toLong() + fields[12].toLong()) * (1_000_000_000L / clockTicks)
    }

    /** Polls [predicate] every 20 ms for up to [millis]; whether it held. */
    fun waitFor(millis: Long, predicate: () -> Boolean): Boolean {
        val until = System.nanoTime() + millis * 1_000_000
        while (!predicate()) {
            if (System.nanoTime() - until > 0) return false
            Thread.sleep(20)
        }
        return true
    }

    /** Sends SIG[signal] with kill(1). */
    fun signal(signal: String) {
        Tools.run("kill", "-$signal", "$pid").exit.let { check(it == 0) { "kill -$signal $pid: exit $it" } }
    }

    /** Waits up to [seconds] for the process to exit; its exit status, or null if still running. */
    fun awaitExit(seconds: Long): Int? = if (process.waitFor(seconds, TimeUnit.SECONDS)) process.exitValue() else null

    override fun close() {
        if (process.isAlive) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS)
    }

    private fun status(key: String): String =
        File("/proc/$pid/status").readLines().first { it.startsWith("$key:") }.substringAfter(':').trim()

    companion object {
        private val javaBin = File(System.getProperty("java.home"), "bin/java").path

        private val clockTicks: Long by lazy { Tools.run("getconf", "CLK_TCK").out.trim().toLong() }

        /**
         * Starts `<name> --addr 127.0.0.1:0 [args]` and waits for its listening line; [prefix]
         * runs before java (e.g. `prlimit --nofile=N:N`), [jvmArgs] go to the JVM.
         */
        fun start(name: String, vararg args: String, prefix: List<String> = emptyList(), jvmArgs: List<String> = emptyList()): ServerProcess {
            val err = File.createTempFile("netpoll-$name", ".err").apply { deleteOnExit() }
            val cmd = prefix + listOf(javaBin) + jvmArgs +
                listOf("-cp", System.getProperty("java.class.path"), "io.netpoll.samples.MainKt", name, "--addr", "127.0.0.1:0", *args)
            val p = ProcessBuilder(cmd).redirectError(err).start()
            return try {
                ServerProcess(name, p, err)
            } catch (e: Throwable) {
                p.destroyForcibly()
                throw e
            }
        }
    }
}
