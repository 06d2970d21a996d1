package io.netpoll.samples.cli

import io.kotest.assertions.withClue
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.ints.shouldBeGreaterThanOrEqual
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldEndWith
import io.kotest.matchers.string.shouldMatch
import io.kotest.matchers.string.shouldNotContain
import io.kotest.matchers.string.shouldStartWith
import io.netpoll.samples.Tools
import io.netpoll.samples.Tools.drainToEnd
import io.netpoll.samples.Tools.readN
import io.netpoll.samples.Tools.readToEnd
import io.netpoll.samples.Tools.readUntil
import java.io.BufferedReader
import java.io.File
import java.net.ConnectException
import java.net.ServerSocket
import java.net.Socket
import java.util.concurrent.TimeUnit

/**
 * The command line as users meet it, in a child JVM (the test's own classpath, so it runs before
 * the jar is packaged): the listening line, SIGINT and SIGTERM shutdown (exit status 0, a request
 * in flight answered), port in use, bad flags, --help, `--stats`, `mixed`.
 *
 * Signals: a JVM started with SIGINT ignored cannot catch it (HotSpot keeps an inherited SIG_IGN),
 * and a child inherits the disposition — a test JVM started in the background by a
 * non-interactive shell has SIGINT ignored and would hand that on. So when this JVM ignores
 * SIGINT, servers start through `env --default-signal=INT`, and every SIGINT test first checks
 * (in /proc) that the server does not ignore it.
 */
class MainProcessSpec : StringSpec({
    val javaBin = File(System.getProperty("java.home"), "bin/java").path
    val sigintIgnoredHere = ignoredSignals(ProcessHandle.current().pid()) and SIGINT_BIT != 0L
    if (sigintIgnoredHere) println("SIGINT is ignored in this JVM (inherited); servers start through env --default-signal=INT")

    // A failed test leaves no server running behind it.
    val children = mutableListOf<Process>()
    afterTest {
        for (c in children) if (c.isAlive) c.destroyForcibly().waitFor(5, TimeUnit.SECONDS)
        children.clear()
    }

    /** A server or client subcommand in a child JVM, stderr to a file (read with [errText]). */
    class Child(val process: Process, val err: File) {
        val out: BufferedReader = process.inputStream.bufferedReader()
        val pid: Long get() = process.pid()
        fun errText(): String = err.readText()

        /** Sends SIG[signal] through kill(1): Java can only send SIGTERM and SIGKILL. */
        fun signal(signal: String) {
            if (signal == "INT") {
                withClue("the server ignores SIGINT (SigIgn in /proc/$pid/status)") { (ignoredSignals(pid) and SIGINT_BIT) shouldBe 0L }
            }
            Tools.run("kill", "-$signal", "$pid").exit shouldBe 0
        }

        /** Waits for exit; the exit status. */
        fun awaitExit(timeoutSeconds: Long = 15): Int {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly()
                throw AssertionError("process did not exit within ${timeoutSeconds}s; stderr: ${errText()}")
            }
            return process.exitValue()
        }
    }

    fun start(vararg args: String): Child {
        val err = File.createTempFile("netpoll-samples", ".err").apply { deleteOnExit() }
        val cmd = (if (sigintIgnoredHere) listOf("env", "--default-signal=INT") else emptyList()) +
            listOf(javaBin, "-cp", System.getProperty("java.class.path"), "io.netpoll.samples.MainKt", *args)
        return Child(ProcessBuilder(cmd).redirectError(err).start().also { children += it }, err)
    }

    fun Child.finish(): Triple<Int, String, String> {
        val exit = awaitExit(20)
        return Triple(exit, out.readText(), errText())
    }

    fun Child.listeningPort(name: String): Int {
        val line = out.readLine()
        line shouldMatch Regex("$name: listening on 127\\.0\\.0\\.1:\\d+")
        return line.substringAfterLast(':').toInt()
    }

    for (signal in listOf("INT", "TERM")) {
        "each server stops on SIG$signal: idle connections closed, exit status 0" {
            for (name in listOf("resp", "http", "echo")) {
                val p = start(name, "--addr", "127.0.0.1:0")
                val port = p.listeningPort(name)
                Tools.socket(port).use { idle ->
                    roundTrip(name, idle)
                    val t0 = System.nanoTime()
                    p.signal(signal)
                    idle.drainToEnd() shouldBe (Tools.End.EOF to 0L)
                    p.awaitExit() shouldBe 0
                    println("$name stopped ${(System.nanoTime() - t0) / 1_000_000} ms after SIG$signal")
                }
                p.errText() shouldBe "$name: shutting down (SIG$signal)\n"
            }
        }

        "http: a request in flight at SIG$signal is answered with Connection: close, then exit status 0" {
            val p = start("http", "--addr", "127.0.0.1:0")
            val port = p.listeningPort("http")
            Tools.socket(port).use { idle ->
                roundTrip("http", idle)
                Tools.socket(port).use { busy ->
                    // Half a body: the 100 Continue shows the server has the head and waits for the rest.
                    busy.getOutputStream().write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\nhello".toByteArray())
                    busy.readN(25) shouldBe "HTTP/1.1 100 Continue\r\n\r\n"
                    p.signal(signal)
                    // The idle connection closing shows the shutdown has begun.
                    idle.drainToEnd() shouldBe (Tools.End.EOF to 0L)
                    busy.getOutputStream().write("world".toByteArray())
                    val r = busy.readToEnd()
                    r shouldStartWith "HTTP/1.1 200 OK\r\n"
                    r shouldContain "\r\nConnection: close\r\n"
                    r shouldEndWith "\r\n\r\nhelloworld"
                }
            }
            p.awaitExit() shouldBe 0
            p.errText() shouldBe "http: shutting down (SIG$signal)\n"
        }

        "mixed stops on SIG$signal: both services close, exit status 0" {
            val p = start("mixed", "--addr", "127.0.0.1:0", "--java-addr", "127.0.0.1:0")
            val javaPort = p.out.readLine().substringAfter("on ").substringBefore(' ').substringAfterLast(':').toInt()
            val respPort = p.listeningPort("resp")
            Tools.socket(javaPort).use { j ->
                j.getOutputStream().write("PING\n".toByteArray())
                j.readN(5) shouldBe "PONG\n"
                Tools.socket(respPort).use { r ->
                    roundTrip("resp", r)
                    p.signal(signal)
                    r.drainToEnd() shouldBe (Tools.End.EOF to 0L)
                    p.awaitExit() shouldBe 0
                    j.drainToEnd().first shouldBe Tools.End.EOF
                }
            }
            runCatching { Socket("127.0.0.1", javaPort).close() }.exceptionOrNull()!!.javaClass shouldBe ConnectException::class.java
            p.errText() shouldBe "resp: shutting down (SIG$signal)\n"
        }
    }

    "a server started with SIGINT ignored says so on stderr and still stops on SIGTERM" {
        val err = File.createTempFile("netpoll-samples", ".err").apply { deleteOnExit() }
        val cp = System.getProperty("java.class.path")
        val process = ProcessBuilder("sh", "-c", "trap '' INT; exec \"$0\" -cp \"$1\" io.netpoll.samples.MainKt resp --addr 127.0.0.1:0", javaBin, cp)
            .redirectError(err).start().also { children += it }
        val p = Child(process, err)
        p.listeningPort("resp")
        (ignoredSignals(p.pid) and SIGINT_BIT) shouldBe SIGINT_BIT
        Tools.run("kill", "-TERM", "${p.pid}").exit shouldBe 0
        p.awaitExit() shouldBe 0
        p.errText() shouldBe "resp: SIGINT is ignored by this process (inherited from its parent); stop it with SIGTERM\n" +
            "resp: shutting down (SIGTERM)\n"
    }

    "resp --stats prints a line per second on stderr, counting the commands served" {
        val p = start("resp", "--addr", "127.0.0.1:0", "--stats")
        val port = p.listeningPort("resp")
        Tools.socket(port).use { s ->
            s.getOutputStream().write("PING\r\n".repeat(100).toByteArray())
            s.readN(700) shouldBe "+PONG\r\n".repeat(100)
            // A line a second; its commands_per_sec values add up to the commands served.
            val line = Regex("resp: connections=(\\d+) commands_per_sec=(\\d+) commands=(\\d+)")
            val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3)
            var lines = emptyList<List<Long>>()
            while (lines.lastOrNull()?.get(2) != 100L && System.nanoTime() < deadline) {
                Thread.sleep(200)
                lines = p.errText().lines().mapNotNull { l -> line.matchEntire(l)?.groupValues?.drop(1)?.map { it.toLong() } }
            }
            println("resp --stats: commands_per_sec per line: ${lines.map { it[1] }}")
            lines.last() shouldBe listOf(1L, lines.last()[1], 100L)
            lines.sumOf { it[1] } shouldBe 100L
        }
    }

    "a port in use is one clear line and exit status 1" {
        ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1")).use { taken ->
            val (exit, _, err) = start("resp", "--addr", "127.0.0.1:${taken.localPort}").finish()
            exit shouldBe 1
            // The listen error names the operation and the address itself (Go's OpError).
            err.trim() shouldStartWith "resp: cannot listen on 127.0.0.1:${taken.localPort}: listen tcp 127.0.0.1:${taken.localPort}: Address already in use"
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

    "mixed: the RESP server's poller stats cover the Java service's sockets too" {
        val p = start("mixed", "--addr", "127.0.0.1:0", "--java-addr", "127.0.0.1:0")
        val javaLine = p.out.readLine()
        javaLine shouldMatch Regex("java: listening on 127\\.0\\.0\\.1:\\d+ \\(mode=.*\\)")
        val javaPort = javaLine.substringAfter("on ").substringBefore(' ').substringAfterLast(':').toInt()
        val respPort = p.listeningPort("resp")
        Tools.socket(javaPort).use { j ->
            Tools.socket(respPort).use { r ->
                // A round trip first: the RESP server has then accepted (and registered) r.
                r.getOutputStream().write("PING\r\n".toByteArray())
                r.readUntil("\r\n") shouldBe "+PONG\r\n"
                j.getOutputStream().write("STATS\n".toByteArray())
                val stats = j.readUntil("\n")
                val javaDescriptors = Regex("netpoll_descriptors=(\\d+)").find(stats)!!.groupValues[1].toInt()
                r.getOutputStream().write("INFO netpoll\r\nQUIT\r\n".toByteArray())
                val info = r.readToEnd()
                info shouldContain "java_service_connections:1\r\n"
                info shouldNotContain "# Server"
                // Two listeners and one connection to each: one poller sees all four. A RESP
                // server on a poller of its own would count only its listener and connection.
                val respDescriptors = Regex("netpoll_descriptors:(\\d+)").find(info)!!.groupValues[1].toInt()
                respDescriptors shouldBeGreaterThanOrEqual 4
                respDescriptors shouldBe javaDescriptors
            }
        }
    }
})

private const val SIGINT_BIT = 1L shl 1

/**
 * One request and its answer on [idle], so the server has accepted it (a connection still in the
 * listen backlog when the server closes its listener is reset by the kernel, not closed) and holds
 * it between requests.
 */
private fun roundTrip(server: String, idle: Socket) {
    val out = idle.getOutputStream()
    when (server) {
        "resp" -> {
            out.write("PING\r\n".toByteArray())
            idle.readN(7) shouldBe "+PONG\r\n"
        }
        "echo" -> {
            out.write("x".toByteArray())
            idle.readN(1) shouldBe "x"
        }
        "http" -> {
            out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".toByteArray())
            idle.readUntil("\r\n\r\n") shouldStartWith "HTTP/1.1 200 OK\r\n"
            idle.readN("Hello, World!".length) shouldBe "Hello, World!"
        }
        else -> error(server)
    }
}

/** The SigIgn mask of process [pid] (bit n-1 for signal n), from /proc. */
private fun ignoredSignals(pid: Long): Long =
    File("/proc/$pid/status").readLines().first { it.startsWith("SigIgn:") }.substringAfter(':').trim().toLong(16)
