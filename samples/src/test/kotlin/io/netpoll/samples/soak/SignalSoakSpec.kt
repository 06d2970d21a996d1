package io.netpoll.samples.soak

import io.kotest.assertions.withClue
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.ints.shouldBeGreaterThanOrEqual
import io.kotest.matchers.longs.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldNotContain
import io.netpoll.samples.ServerProcess
import io.netpoll.samples.Tools

/**
 * SIGTERM while real clients load each sample server (a child JVM): redis-benchmark on `resp`,
 * wrk on `http`, nc streams on `echo`. The server must exit with status 0 within its 5 s grace
 * period (plus start-up slack) and say nothing on stderr but its shutting-down line: no stack
 * trace from a connection cut mid-request or a write to a client that went away.
 */
class SignalSoakSpec : StringSpec({
    val loads = listOf(
        Triple("resp", "redis-benchmark") { port: Int -> List(2) { LoadClients.redisBenchmark(port, 25) } },
        Triple("http", "wrk") { port: Int -> listOf(LoadClients.wrk(port, 50, 30)) },
        Triple("echo", "nc") { port: Int -> List(8) { LoadClients.ncZeros(port) } },
    )
    for ((name, tool, load) in loads) {
        "$name under load from $tool exits 0 within seconds of SIGTERM, stderr without a stack trace".config(enabled = Tools.has(tool)) {
            ServerProcess.start(name).use { srv ->
                val base = srv.sockets()
                val clients = load(srv.port)
                try {
                    val loaded = srv.waitFor(10_000) { srv.sockets() >= base + 8 }
                    Thread.sleep(1_000)
                    val atSignal = srv.sockets()
                    val cpu0 = srv.cpuNanos()
                    Thread.sleep(500)
                    val busyPercent = (srv.cpuNanos() - cpu0) / 5_000_000
                    val t0 = System.nanoTime()
                    srv.signal("TERM")
                    val exit = srv.awaitExit(20)
                    val exitMillis = (System.nanoTime() - t0) / 1_000_000
                    val err = srv.errText()
                    println("SignalSoak: $name under ${clients.size} $tool process(es) (${atSignal - base} descriptors over its idle $base, " +
                        "$busyPercent% of a core): exit $exit $exitMillis ms after SIGTERM; stderr: ${err.trim()}")
                    withClue("the load reached the server") { loaded shouldBe true }
                    atSignal shouldBeGreaterThanOrEqual base + 8
                    exit shouldBe 0
                    exitMillis shouldBeLessThan 8_000
                    err shouldBe "$name: shutting down (SIGTERM)\n"
                    err shouldNotContain "Exception"
                } finally {
                    clients.forEach { LoadClients.kill9(it) }
                }
            }
        }
    }
})
