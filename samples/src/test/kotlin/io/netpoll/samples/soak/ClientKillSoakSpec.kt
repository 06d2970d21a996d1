package io.netpoll.samples.soak

import io.kotest.assertions.withClue
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.ints.shouldBeGreaterThanOrEqual
import io.kotest.matchers.ints.shouldBeLessThanOrEqual
import io.kotest.matchers.shouldBe
import io.netpoll.samples.ServerProcess
import io.netpoll.samples.Tools
import io.netpoll.samples.Tools.readN

/**
 * Clients killed with SIGKILL in the middle of a transfer (the kernel closes their sockets, with
 * data still in flight both ways): the server's descriptor count (/proc/<pid>/fd) returns to where
 * it was before the clients came, and it goes on serving. Socket descriptors are counted: the JVM
 * opens files of its own at any time. Run on `resp` with redis-benchmark
 * processes and on `echo` with nc streams, each server a child JVM, three rounds each (20 with -Dnetpoll.soak=long).
 */
class ClientKillSoakSpec : StringSpec({
    val rounds = Soak.size(3, 20)

    "resp: redis-benchmark processes killed mid-run leave no descriptor behind, and the server still answers".config(enabled = Tools.has("redis-benchmark")) {
        ServerProcess.start("resp").use { srv ->
            killRounds(srv, rounds, "redis-benchmark") { List(3) { LoadClients.redisBenchmark(srv.port, 20) } }
            Tools.socket(srv.port).use { s ->
                s.getOutputStream().write("*3\r\n\$3\r\nSET\r\n\$1\r\nk\r\n\$2\r\nok\r\n*2\r\n\$3\r\nGET\r\n\$1\r\nk\r\n".toByteArray())
                s.readN(13) shouldBe "+OK\r\n\$2\r\nok\r\n"
            }
        }
    }

    "echo: nc streams killed mid-transfer leave no descriptor behind, and the server still echoes".config(enabled = Tools.has("nc")) {
        ServerProcess.start("echo").use { srv ->
            killRounds(srv, rounds, "nc") { List(8) { LoadClients.ncZeros(srv.port) } }
            Tools.socket(srv.port).use { s ->
                s.getOutputStream().write("still here\n".toByteArray())
                s.readN(11) shouldBe "still here\n"
            }
        }
    }
})

private fun killRounds(srv: ServerProcess, rounds: Int, tool: String, start: () -> List<Process>) {
    Tools.socket(srv.port).close()
    Thread.sleep(200)
    val base = srv.sockets()
    val before = srv.fdTargets()
    val peaks = ArrayList<Int>()
    repeat(rounds) {
        val clients = start()
        try {
            val loaded = srv.waitFor(10_000) { srv.sockets() >= base + clients.size }
            withClue("the $tool clients reached the server") { loaded shouldBe true }
            Thread.sleep(500)
            peaks += srv.sockets()
        } finally {
            clients.forEach { LoadClients.kill9(it) }
        }
        srv.waitFor(10_000) { srv.sockets() <= base }
        withClue("socket descriptors after round ${it + 1}; opened since the start: ${srv.fdTargets() - before.toSet()}") {
            srv.sockets() shouldBeLessThanOrEqual base
        }
    }
    println("ClientKillSoak: ${srv.name}: $rounds rounds of $tool processes killed with SIGKILL mid-transfer; " +
        "socket descriptors $base idle, ${peaks.joinToString("/")} under load, ${srv.sockets()} after; stderr: '${srv.errText().trim()}'")
    peaks.min() shouldBeGreaterThanOrEqual base + 3
    srv.errText() shouldBe ""
}
