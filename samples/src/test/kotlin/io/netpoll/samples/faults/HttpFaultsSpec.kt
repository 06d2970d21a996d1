package io.netpoll.samples.faults

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.netpoll.net.net
import io.netpoll.samples.Tools
import io.netpoll.samples.http.HttpServer
import io.netpoll.samples.server.ServerRuntime
import io.netpoll.testing.Fault
import io.netpoll.testing.FaultClass
import io.netpoll.testing.FaultProxy
import io.netpoll.testing.FaultRun
import io.netpoll.testing.SeededStream
import java.io.File
import kotlin.time.Duration.Companion.seconds

/**
 * The HTTP sample through [FaultProxy]: pipelined `POST /echo` requests from our own client
 * (net-kt's BufWriter/BufReader) under every fault class — each response 200 with its body byte
 * for byte, or the exact exception, within the deadline; the server's connections and the
 * descriptors back at their baseline. Then curl through the proxy: a fragmented upload comes
 * back intact, and a cut response is reported as one (curl's own exit codes).
 */
class HttpFaultsSpec : StringSpec({
    val server = HttpServer().start(ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0")
    val proxy = FaultProxy.to(server.port)
    afterSpec {
        proxy.close()
        server.shutdown()
    }
    val requests = 12
    val body = 8 * 1024
    var verified = 0L

    FaultClass.all.forEachIndexed { i, fault ->
        "http sample, ${fault.name}: each response 200 with its body byte for byte, or reading ends ${fault.read}" {
            net(bound = 60.seconds) {
                val x = HttpExchange(i + 1L, requests, body)
                val report = FaultRun.check(proxy, fault, x, server::connections) { listOf(x.connection(proxy, fault.deadlineMillis)) }
                verified += report.verified
                println("HttpFaultsSpec: $report")
            }
        }
    }

    "the response check catches a proxy that corrupts one body byte" {
        net {
            val x = HttpExchange(99, 2, body)
            proxy.faults(Fault.none(), Fault.none().corruptAt(1_000))
            val e = shouldThrow<AssertionError> { x.connection(proxy, 10_000) }
            e.message shouldContain "of response 0 is wrong"
            println("HttpFaultsSpec: a corrupted byte is caught: ${e.message}")
            proxy.faults(Fault.none(), Fault.none())
            proxy.awaitIdle(5_000) shouldBe true
        }
    }

    "totals" {
        println("HttpFaultsSpec: ${FaultClass.all.size} fault classes, ${FaultClass.all.size} connections, $verified body bytes verified")
    }

    val hasCurl = Tools.has("curl")
    val upload = File.createTempFile("fault-upload", ".bin").apply {
        deleteOnExit()
        writeBytes(SeededStream(11).bytes(0, 64 * 1024))
    }

    fun curl(vararg args: String): Tools.Result =
        Tools.run("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", *args, timeoutSeconds = 20)

    "curl: a 64 KiB upload through 1-byte segments both ways comes back byte for byte".config(enabled = hasCurl) {
        proxy.faults(Fault.none().fragment(1), Fault.none().fragment(1))
        val out = File.createTempFile("fault-echoed", ".bin").apply { deleteOnExit() }
        val r = Tools.run(
            "curl", "-sS", "--data-binary", "@${upload.path}", "-H", "Content-Type: application/octet-stream",
            "-o", out.path, "http://127.0.0.1:${proxy.port()}/echo", timeoutSeconds = 30,
        )
        r.exit shouldBe 0
        out.readBytes().contentEquals(upload.readBytes()) shouldBe true
        proxy.awaitIdle(5_000) shouldBe true
    }

    "curl: a response truncated mid-body is exit 18 (partial file), a reset is exit 56, a stall past --max-time is exit 28".config(enabled = hasCurl) {
        val url = "http://127.0.0.1:${proxy.port()}/echo"
        val post = arrayOf("--data-binary", "@${upload.path}", url)
        proxy.faults(Fault.none(), Fault.none().truncateAt(10_000))
        val truncated = curl(*post)
        proxy.faults(Fault.none(), Fault.none().resetAt(10_000))
        val reset = curl(*post)
        proxy.faults(Fault.none(), Fault.none().stallAt(10_000).resumeAfter(2_000))
        val stalled = curl("--max-time", "1", *post)
        for ((what, r) in listOf("truncated" to truncated, "reset" to reset, "stalled" to stalled)) {
            println("HttpFaultsSpec: curl, $what: exit ${r.exit}, '${r.out}', ${r.err.trim()}")
        }
        truncated.exit shouldBe 18
        reset.exit shouldBe 56
        stalled.exit shouldBe 28
        proxy.faults(Fault.none(), Fault.none())
        proxy.awaitIdle(5_000) shouldBe true
        val until = System.nanoTime() + 5_000_000_000L
        while (server.connections > 0 && System.nanoTime() < until) Thread.sleep(10)
        server.connections shouldBe 0
    }
})
