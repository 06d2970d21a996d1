package io.netpoll.samples.server

import io.kotest.assertions.withClue
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.collections.shouldNotBeEmpty
import io.kotest.matchers.ints.shouldBeLessThanOrEqual
import io.kotest.matchers.longs.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import io.netpoll.samples.ServerProcess
import io.netpoll.samples.Tools
import io.netpoll.samples.Tools.readN
import java.net.InetSocketAddress
import java.net.Socket

/**
 * Accept out of descriptors, as a flooded server meets it: an echo server in a child JVM whose
 * RLIMIT_NOFILE is lowered (prlimit --pid) to a few above what it holds once warm, then
 * connections beyond that. The server must back off (little CPU), log a line a second at most
 * with the failures it stands for, accept the next connection as soon as one of its own closes,
 * and serve normally once descriptors are free.
 */
class AcceptExhaustionSpec : StringSpec({
    "out of descriptors, accept backs off, logs a line a second with the failures counted, and resumes when a descriptor frees up"
        .config(enabled = Tools.has("prlimit")) {
            ServerProcess.start("echo").use { srv ->
                Tools.socket(srv.port).use { s ->
                    s.getOutputStream().write("warm\n".toByteArray())
                    s.readN(5) shouldBe "warm\n"
                }
                Thread.sleep(300)
                val base = srv.descriptors()
                val socketBase = srv.sockets()
                val spare = 8
                Tools.run("prlimit", "--pid", "${srv.pid}", "--nofile=${base + spare}:${base + spare}").exit shouldBe 0

                // Connections past the limit wait in the listen backlog, each with its line sent.
                val held = (0 until 64).map { i ->
                    Socket().apply {
                        connect(InetSocketAddress("127.0.0.1", srv.port), 2000)
                        soTimeout = 5000
                        getOutputStream().write("c%03d\n".format(i).toByteArray())
                    }
                }
                Thread.sleep(500)
                val accepted = held.indices.filter { held[it].getInputStream().available() > 0 }
                accepted.shouldNotBeEmpty()
                withClue("accepted $accepted") { accepted shouldBe (0 until accepted.size).toList() }
                for (i in accepted) held[i].readN(5) shouldBe "c%03d\n".format(i)
                accepted.size shouldBeLessThanOrEqual spare

                // Exhausted: count log lines and CPU over a window, with a connect/close flood on top.
                val windowMillis = 4_000L
                val linesBefore = srv.errText().lines().count { it.startsWith("echo: accept:") }
                val cpu0 = srv.cpuNanos()
                val t0 = System.nanoTime()
                var flood = 0
                while (System.nanoTime() - t0 < windowMillis * 1_000_000 && flood < 2_000) {
                    Socket().use { it.connect(InetSocketAddress("127.0.0.1", srv.port), 2000) }
                    flood++
                    Thread.sleep(1)
                }
                Thread.sleep(maxOf(0, windowMillis - (System.nanoTime() - t0) / 1_000_000))
                val cpuMillis = (srv.cpuNanos() - cpu0) / 1_000_000
                val err = srv.errText()
                val lines = err.lines().filter { it.startsWith("echo: accept:") }
                val inWindow = lines.size - linesBefore
                println("AcceptExhaustion: limit ${base + spare} descriptors (${base} once warm), ${accepted.size} connections accepted, " +
                    "${held.size - accepted.size} held in the backlog + $flood connect/close during ${windowMillis} ms: " +
                    "$inWindow log lines, ${cpuMillis} ms CPU in the server; lines:\n  ${lines.joinToString("\n  ")}")
                // The error names the operation and the listener (Go's OpError), as Go's http logs it.
                lines.first() shouldContain "echo: accept: accept tcp 127.0.0.1:"
                lines.first() shouldContain ": Too many open files"
                lines.first() shouldContain "retrying in 5 ms"
                withClue("a line a second at most") { inWindow shouldBeLessThanOrEqual (windowMillis / 1000).toInt() + 1 }
                withClue("later lines count the failures not logged") { lines.any { it.contains("more failures since the last line") } shouldBe true }
                cpuMillis shouldBeLessThan windowMillis / 4
                lines.any { it.contains("retrying in 1000 ms") } shouldBe true

                // At 1 s between retries: a connection closing frees a descriptor and the next
                // queued connection is served at once, not at the next retry. The pauses put the
                // next timed retry about 0.9 s after each close.
                var next = accepted.size
                val resumeMillis = (0 until 3).map { k ->
                    Thread.sleep(2_400)
                    held[accepted[k]].close()
                    val t = System.nanoTime()
                    held[next].readN(5) shouldBe "c%03d\n".format(next)
                    next++
                    (System.nanoTime() - t) / 1_000_000
                }
                println("AcceptExhaustion: a queued connection served ${resumeMillis.joinToString(", ")} ms after one of the server's own closed")
                for (ms in resumeMillis) ms shouldBeLessThan 400

                // Everything freed: the backlog drains and a new connection is served.
                held.forEach { it.close() }
                val t = System.nanoTime()
                Tools.socket(srv.port).use { s ->
                    s.getOutputStream().write("back\n".toByteArray())
                    s.readN(5) shouldBe "back\n"
                }
                val servedMillis = (System.nanoTime() - t) / 1_000_000
                srv.waitFor(3_000) { srv.sockets() <= socketBase }
                println("AcceptExhaustion: all closed: a new connection served after $servedMillis ms, socket descriptors ${srv.sockets()} (base $socketBase)")
                servedMillis shouldBeLessThan 5_000
                srv.sockets() shouldBeLessThanOrEqual socketBase
                // The next accept a second after the last line says accept works again.
                Thread.sleep(1_100)
                Tools.socket(srv.port).use { s ->
                    s.getOutputStream().write("more\n".toByteArray())
                    s.readN(5) shouldBe "more\n"
                }
                srv.waitFor(2_000) { srv.errText().contains("echo: accept: accepting again") } shouldBe true
                println("AcceptExhaustion: last line: ${srv.errText().trim().lines().last()}")
                srv.errText() shouldNotContain "\tat "
            }
        }
})
