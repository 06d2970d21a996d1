package io.netpoll.testing

import java.net.ServerSocket
import java.util.concurrent.TimeUnit

/**
 * The real `openssl s_client` and `s_server` as TLS peers on 127.0.0.1, each bounded in time.
 * Use after [TestCerts.available]; the certificate files come from [TestCerts].
 */
object Openssl {
    class Result(val exit: Int, val out: String)

    /** `openssl s_client -connect 127.0.0.1:port args…` with stdin closed: it handshakes, prints, quits. */
    fun client(port: Int, vararg args: String, timeoutSeconds: Long = 30): Result {
        val p = ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:$port", *args)
            .directory(TestCerts.dir.toFile()).redirectErrorStream(true).start()
        p.outputStream.close()
        val out = StringBuilder()
        val reader = Thread { out.append(p.inputStream.bufferedReader().readText()) }.apply { start() }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly()
            throw AssertionError("openssl s_client ${args.joinToString(" ")} did not finish within ${timeoutSeconds}s")
        }
        reader.join(5000)
        return Result(p.exitValue(), out.toString())
    }

    /** A running `openssl s_server` on a free port of 127.0.0.1, ready when returned; [close] ends it. */
    class Server(vararg args: String) : AutoCloseable {
        val port: Int = ServerSocket(0).use { it.localPort }
        private val process: Process = ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:$port", "-naccept", "1", *args)
            .directory(TestCerts.dir.toFile()).redirectErrorStream(true).start()
        val output = StringBuffer()

        init {
            val ready = java.util.concurrent.CountDownLatch(1)
            Thread {
                process.inputStream.bufferedReader().forEachLine { line ->
                    output.append(line).append('\n')
                    if (line.startsWith("ACCEPT")) ready.countDown()
                }
                ready.countDown()
            }.apply { isDaemon = true; start() }
            if (!ready.await(30, TimeUnit.SECONDS) || !process.isAlive) {
                close()
                throw AssertionError("openssl s_server ${args.joinToString(" ")} did not start listening: $output")
            }
        }

        override fun close() {
            process.destroy()
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly()
        }
    }

    fun path(name: String): String = TestCerts.file(name).toString()

}
