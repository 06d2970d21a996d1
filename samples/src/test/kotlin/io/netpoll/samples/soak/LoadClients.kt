package io.netpoll.samples.soak

import io.netpoll.samples.Tools
import java.io.File
import java.util.concurrent.TimeUnit

/**
 * Real clients as load, each a process of its own so it can be killed mid-transfer: redis-benchmark
 * (RESP, pipelined SET/GET), wrk (HTTP keep-alive GETs), nc streaming /dev/zero through the echo
 * server. Each is bounded in requests, time or bytes, and is killed by the test that started it
 * when it is done with it; output is discarded.
 */
object LoadClients {
    /** Pipelined SET/GET on [conns] connections, [requests] in all. */
    fun redisBenchmark(port: Int, conns: Int, requests: Int = conns * 100_000): Process = start(
        "redis-benchmark", "-h", "127.0.0.1", "-p", "$port", "-c", "$conns", "-P", "16", "-t", "set,get", "-n", "$requests", "-q",
    )

    /** Keep-alive GET / on [conns] connections for [seconds]. */
    fun wrk(port: Int, conns: Int, seconds: Int): Process = start("wrk", "-t2", "-c$conns", "-d${seconds}s", "http://127.0.0.1:$port/")

    /** nc streaming [bytes] zero bytes (fed from this JVM) and discarding the echo. */
    fun ncZeros(port: Int, bytes: Long = 4L shl 30): Process {
        val p = start("nc", "127.0.0.1", "$port", stdin = true)
        Thread {
            val zeros = ByteArray(64 * 1024)
            try {
                p.outputStream.use { out ->
                    var left = bytes
                    while (left > 0) {
                        out.write(zeros, 0, minOf(left, zeros.size.toLong()).toInt())
                        left -= zeros.size
                    }
                }
            } catch (e: java.io.IOException) {
                // nc is gone (killed, or the server closed): nothing more to feed.
            }
        }.apply { isDaemon = true; start() }
        return p
    }

    /** Ends [p] with SIGKILL (as `kill -9`), waiting for it to be gone. */
    fun kill9(p: Process) {
        p.destroyForcibly()
        p.waitFor(10, TimeUnit.SECONDS)
    }

    private fun start(vararg cmd: String, stdin: Boolean = false): Process {
        if (!Tools.installed(cmd[0])) throw AssertionError("'${cmd[0]}' is not installed: the soak tests use real clients (.ci/run installs them)")
        val pb = ProcessBuilder(*cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
        if (!stdin) pb.redirectInput(File("/dev/null"))
        return pb.start()
    }
}
