package io.netpoll.samples

import java.io.File
import java.net.InetSocketAddress
import java.net.Socket
import java.util.concurrent.TimeUnit

/**
 * Running the real clients the samples are tested with (redis-cli, redis-benchmark, curl, wrk,
 * nc): each call is bounded in time. A test whose tool is missing is disabled with the reason
 * printed on a developer machine, so `mvn verify` still runs everywhere else; under `CI=1` it
 * runs and fails on the missing tool, so CI cannot pass without the real clients.
 */
object Tools {
    /** `CI=1` (or `CI=true`, as most CI services set it): a missing tool fails instead of skipping. */
    val ci: Boolean = System.getenv("CI").let { it == "1" || it == "true" }

    fun installed(tool: String): Boolean =
        System.getenv("PATH").orEmpty().split(File.pathSeparator).any { File(it, tool).canExecute() }

    /**
     * Whether the tests that need [tool] run: always when it is installed; when it is missing,
     * under [ci] they run (and fail in [start]), elsewhere they are disabled with a printed SKIP.
     */
    fun has(tool: String, ci: Boolean = this.ci): Boolean {
        if (installed(tool)) return true
        if (ci) {
            println("MISSING: '$tool' is not installed; with CI=1 the tests that need it fail (.ci/run installs it)")
            return true
        }
        println("SKIP: '$tool' is not installed (CI installs it: see .ci/run)")
        return false
    }

    /** Starts [cmd]; a missing program is an [AssertionError] that names it. */
    fun start(vararg cmd: String): Process {
        if (!installed(cmd[0])) {
            throw AssertionError("'${cmd[0]}' is not installed: the samples are tested with real clients (.ci/run installs them)")
        }
        return ProcessBuilder(*cmd).start()
    }

    class Result(val exit: Int, val out: String, val err: String)

    /** Runs [cmd] with [stdin], killing it after [timeoutSeconds]. */
    fun run(vararg cmd: String, stdin: ByteArray = ByteArray(0), timeoutSeconds: Long = 30): Result {
        val p = start(*cmd)
        val err = StringBuilder()
        val errReader = Thread { err.append(p.errorStream.bufferedReader().readText()) }.apply { start() }
        p.outputStream.use { it.write(stdin) }
        val out = StringBuilder()
        val outReader = Thread { out.append(p.inputStream.bufferedReader().readText()) }.apply { start() }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly()
            throw AssertionError("${cmd.joinToString(" ")} did not finish within ${timeoutSeconds}s")
        }
        outReader.join(5000)
        errReader.join(5000)
        return Result(p.exitValue(), out.toString(), err.toString())
    }

    /** A raw client socket with a read timeout, so a missing reply fails the test instead of hanging it. */
    fun socket(port: Int): Socket = Socket().apply {
        connect(InetSocketAddress("127.0.0.1", port), 2000)
        soTimeout = 5000
    }

    /** Reads until the peer closes (or [max] bytes). */
    fun Socket.readToEnd(max: Int = 1 shl 20): String {
        val b = getInputStream().readNBytes(max)
        return String(b, Charsets.ISO_8859_1)
    }

    /** Reads exactly [n] bytes. */
    fun Socket.readN(n: Int): String = String(getInputStream().readNBytes(n), Charsets.ISO_8859_1)

    /** Reads up to and including the first occurrence of [suffix]; an [AssertionError] if the stream ends first. */
    fun Socket.readUntil(suffix: String): String {
        val sb = StringBuilder()
        while (!sb.endsWith(suffix)) {
            val b = getInputStream().read()
            if (b < 0) throw AssertionError("stream ended before '$suffix'; read: $sb")
            sb.append(b.toChar())
        }
        return sb.toString()
    }

    /** How a read-everything loop ended. */
    enum class End { EOF, RESET, TIMEOUT }

    /**
     * Reads and discards until the peer closes, a reset, the socket's read timeout, or
     * [withinMillis] in all (a peer still sending then counts as [End.TIMEOUT]); returns how it
     * ended and the bytes read.
     */
    fun Socket.drainToEnd(withinMillis: Long = 10_000): Pair<End, Long> {
        val buf = ByteArray(64 * 1024)
        val until = System.nanoTime() + withinMillis * 1_000_000
        var total = 0L
        try {
            var n = getInputStream().read(buf)
            while (n >= 0) {
                total += n
                if (System.nanoTime() - until > 0) return End.TIMEOUT to total
                n = getInputStream().read(buf)
            }
        } catch (e: java.net.SocketTimeoutException) {
            return End.TIMEOUT to total
        } catch (e: java.net.SocketException) {
            return End.RESET to total
        }
        return End.EOF to total
    }
}
