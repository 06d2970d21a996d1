package io.netpoll.samples.cli

import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldMatch
import io.kotest.matchers.string.shouldStartWith
import java.io.File
import java.net.ServerSocket
import java.util.concurrent.TimeUnit

/**
 * The command line as users meet it, in a child JVM (the test's own classpath, so it runs before
 * the jar is packaged): the listening line, SIGTERM shutdown, port in use, bad flags, --help.
 */
class MainProcessSpec : StringSpec({
    fun start(vararg args: String): Process = ProcessBuilder(
        File(System.getProperty("java.home"), "bin/java").path, "-cp", System.getProperty("java.class.path"),
        "io.netpoll.samples.MainKt", *args,
    ).start()

    fun Process.finish(timeoutSeconds: Long = 20): Triple<Int, String, String> {
        if (!waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            destroyForcibly()
            throw AssertionError("process did not exit within ${timeoutSeconds}s")
        }
        return Triple(exitValue(), inputStream.bufferedReader().readText(), errorStream.bufferedReader().readText())
    }

    "each server prints its listening line, serves, and stops on SIGTERM" {
        for ((cmd, name) in listOf("resp" to "resp", "http" to "http", "echo" to "echo")) {
            val err = File.createTempFile(name, ".err").apply { deleteOnExit() }
            val p = ProcessBuilder(
                File(System.getProperty("java.home"), "bin/java").path, "-cp", System.getProperty("java.class.path"),
                "io.netpoll.samples.MainKt", cmd, "--addr", "127.0.0.1:0",
            ).redirectError(err).start()
            val line = p.inputStream.bufferedReader().readLine()
            line shouldMatch Regex("$name: listening on 127\\.0\\.0\\.1:\\d+")
            val port = line.substringAfterLast(':').toInt()
            java.net.Socket("127.0.0.1", port).close()
            val t0 = System.nanoTime()
            p.destroy()
            p.waitFor(15, TimeUnit.SECONDS) shouldBe true
            println("$name stopped ${(System.nanoTime() - t0) / 1_000_000} ms after SIGTERM")
            err.readText() shouldContain "$name: shutting down"
        }
    }

    "resp --stats prints a line per second on stderr" {
        val p = start("resp", "--addr", "127.0.0.1:0", "--stats")
        try {
            p.inputStream.bufferedReader().readLine() shouldMatch Regex("resp: listening on .*")
            p.errorStream.bufferedReader().readLine() shouldMatch Regex("resp: connections=0 commands_per_sec=0 commands=0")
        } finally {
            p.destroy()
            p.waitFor(15, TimeUnit.SECONDS)
        }
    }

    "a port in use is one clear line and exit status 1" {
        ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1")).use { taken ->
            val (exit, _, err) = start("resp", "--addr", "127.0.0.1:${taken.localPort}").finish()
            exit shouldBe 1
            err.trim() shouldStartWith "resp: cannot listen on 127.0.0.1:${taken.localPort}: Address already in use"
            err.trim().lines().size shouldBe 1
        }
    }

    "bad flags are one clear line and exit status 2" {
        for ((args, message) in listOf(
            listOf("http", "--bogus") to "http: unknown flag --bogus (see --help)",
            listOf("resp", "--parallelism", "zero") to "resp: --parallelism must be an integer in 1..1024, got 'zero'",
            listOf("echo", "--dispatcher", "fast") to "echo: --dispatcher must be one of netpoll|default, got 'fast'",
            listOf("echo-client", "--addr", "nowhere") to "echo-client: --addr must be host:port (e.g. 127.0.0.1:6380), got 'nowhere'",
            listOf("mixed", "--java-addr") to "mixed: --java-addr needs a value",
            listOf("redis") to "netpoll-samples: unknown command 'redis' (resp, http, echo, echo-client, mixed)",
        )) {
            val (exit, _, err) = start(*args.toTypedArray()).finish()
            exit shouldBe 2
            err.trim() shouldBe message
        }
    }

    "--help works for each subcommand" {
        for (cmd in listOf("resp", "http", "echo", "echo-client", "mixed")) {
            val (exit, out, _) = start(cmd, "--help").finish()
            exit shouldBe 0
            out shouldStartWith "usage: java -jar netpoll-samples.jar $cmd"
        }
    }

    "mixed: the RESP server and the Java service report the same Netpoll" {
        val p = start("mixed", "--addr", "127.0.0.1:0", "--java-addr", "127.0.0.1:0")
        try {
            val out = p.inputStream.bufferedReader()
            val javaLine = out.readLine()
            javaLine shouldMatch Regex("java: listening on 127\\.0\\.0\\.1:\\d+ \\(mode=.*\\)")
            val respLine = out.readLine()
            respLine shouldMatch Regex("resp: listening on 127\\.0\\.0\\.1:\\d+")
            val javaPort = javaLine.substringAfter("on ").substringBefore(' ').substringAfterLast(':').toInt()
            val respPort = respLine.substringAfterLast(':').toInt()
            java.net.Socket("127.0.0.1", javaPort).use { j ->
                j.soTimeout = 5000
                j.getOutputStream().write("STATS\n".toByteArray())
                val stats = j.getInputStream().bufferedReader().readLine()
                val javaId = Regex("netpoll_id=(\\w+)").find(stats)!!.groupValues[1]
                java.net.Socket("127.0.0.1", respPort).use { r ->
                    r.soTimeout = 5000
                    r.getOutputStream().write("INFO\r\nQUIT\r\n".toByteArray())
                    val info = String(r.getInputStream().readAllBytes(), Charsets.UTF_8)
                    info shouldContain "netpoll_id:$javaId\r\n"
                    info shouldContain "java_service_connections:1\r\n"
                }
            }
        } finally {
            p.destroy()
            p.waitFor(15, TimeUnit.SECONDS)
        }
    }
})
