package io.netpoll.samples

import java.io.File
import java.net.InetSocketAddress
import java.net.Socket
import java.util.concurrent.TimeUnit

/**
 * Running the real clients the samples are tested with (redis-cli, redis-benchmark, curl, wrk,
 * nc): each call is bounded in time, and a test whose tool is missing is disabled with the
 * reason printed, so `mvn verify` still runs everywhere else.
 */
object Tools {
    fun has(tool: String): Boolean {
        val found = System.getenv("PATH").orEmpty().split(File.pathSeparator).any { File(it, tool).canExecute() }
        if (!found) println("SKIP: '$tool' is not installed (CI installs it: see .ci/run)")
        return found
    }

    class Result(val exit: Int, val out: String, val err: String)

    /** Runs [cmd] with [stdin], killing it after [timeoutSeconds]. */
    fun run(vararg cmd: String, stdin: ByteArray = ByteArray(0), timeoutSeconds: Long = 30): Result {
        val p = ProcessBuilder(*cmd).start()
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
}
