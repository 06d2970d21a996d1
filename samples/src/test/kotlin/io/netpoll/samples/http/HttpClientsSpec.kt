package io.netpoll.samples.http

import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldEndWith
import io.kotest.matchers.string.shouldNotContain
import io.kotest.matchers.string.shouldStartWith
import io.netpoll.samples.Tools
import io.netpoll.samples.Tools.drainToEnd
import io.netpoll.samples.Tools.readN
import io.netpoll.samples.Tools.readToEnd
import io.netpoll.samples.Tools.readUntil
import io.netpoll.samples.server.ServerRuntime
import java.io.File
import java.net.SocketException
import kotlin.concurrent.thread
import kotlin.random.Random

/** The HTTP/1.1 server against curl, wrk and raw sockets, on 127.0.0.1. */
class HttpClientsSpec : StringSpec({
    val server = HttpServer(idleTimeoutMillis = 1_000, requestTimeoutMillis = 700)
        .start(ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0")
    val base = "http://127.0.0.1:${server.port}"
    afterSpec { server.shutdown() }

    val hasCurl = Tools.has("curl")

    fun curl(vararg args: String): Tools.Result = Tools.run("curl", "-sS", *args, timeoutSeconds = 20)

    "curl: every route with status, content type and body".config(enabled = hasCurl) {
        curl("-w", " %{http_code} %{content_type}", "$base/").out shouldBe "Hello, World! 200 text/plain; charset=utf-8"
        curl("-w", " %{http_code} %{content_type}", "$base/json").out shouldBe
            "{\"message\":\"Hello, World!\"} 200 application/json"
        val stats = curl("$base/stats").out
        stats shouldStartWith "{\"dispatcher\":\"netpoll\""
        stats shouldContain "\"netpoll_backend\":\"epoll\""
        stats shouldContain "\"sched_parallelism\":"
        curl("-X", "POST", "-H", "Content-Type: text/x-test", "--data-binary", "ping pong", "-w", " %{content_type}", "$base/echo").out shouldBe
            "ping pong text/x-test"
        curl("-o", "/dev/null", "-w", "%{http_code}", "$base/nope").out shouldBe "404"
        curl("-o", "/dev/null", "-w", "%{http_code}", "-X", "DELETE", "$base/").out shouldBe "405"
        val head = curl("-I", "$base/").out
        head shouldStartWith "HTTP/1.1 200 OK"
        head shouldContain "Server: netpoll-jvm"
        head shouldContain "Date: "
    }

    "curl: keep-alive reuses one connection for several requests".config(enabled = hasCurl) {
        val r = curl("-v", "$base/", "$base/json", "$base/")
        r.out shouldBe "Hello, World!{\"message\":\"Hello, World!\"}Hello, World!"
        r.err.lines().count { it.contains("Re-using existing connection") } shouldBe 2
    }

    "curl: a chunked upload of 600 KiB is echoed byte for byte".config(enabled = hasCurl) {
        val file = File.createTempFile("upload", ".bin").apply { deleteOnExit() }
        val bytes = Random(7).nextBytes(600 * 1024)
        file.writeBytes(bytes)
        val out = File.createTempFile("echoed", ".bin").apply { deleteOnExit() }
        curl("-H", "Transfer-Encoding: chunked", "--data-binary", "@${file.path}", "-o", out.path, "$base/echo").exit shouldBe 0
        out.readBytes().contentEquals(bytes) shouldBe true
    }

    "curl: a body over 1 MiB is 413, a header section over 8 KiB is 431".config(enabled = hasCurl) {
        val file = File.createTempFile("big", ".bin").apply { deleteOnExit() }
        file.writeBytes(ByteArray(1024 * 1024 + 1))
        curl("-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "@${file.path}", "$base/echo").out shouldBe "413"
        curl("-o", "/dev/null", "-w", "%{http_code}", "-H", "X-Big: ${"a".repeat(9000)}", "$base/").out shouldBe "431"
    }

    "raw socket: a malformed request is 400 and the connection closes" {
        Tools.socket(server.port).use { s ->
            s.getOutputStream().write("GET /\r\n\r\n".toByteArray())
            val r = s.readToEnd()
            r shouldStartWith "HTTP/1.1 400 Bad Request\r\n"
            r shouldContain "Connection: close"
        }
    }

    "raw socket: a client still sending a refused request reads the error, not a reset (lingering close)" {
        Tools.socket(server.port).use { s ->
            // The server refuses the target after 8 KiB and closes; the client goes on writing.
            val request = "GET /${"a".repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n".toByteArray()
            for (at in request.indices step 1024) {
                s.getOutputStream().write(request, at, minOf(1024, request.size - at))
                Thread.sleep(1)
            }
            val r = s.readToEnd()
            r shouldStartWith "HTTP/1.1 414 URI Too Long\r\n"
            r shouldContain "Connection: close"
        }
    }

    "raw socket: pipelined requests are answered in order on one connection" {
        Tools.socket(server.port).use { s ->
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /json HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".toByteArray())
            val r = s.readToEnd()
            r.split("HTTP/1.1 200 OK").size shouldBe 4
            (r.indexOf("Hello, World!") < r.indexOf("{\"message\"")) shouldBe true
        }
    }

    "slowloris: a request trickling in is cut at the request deadline; an idle connection at the idle deadline" {
        Tools.socket(server.port).use { s ->
            val start = System.nanoTime()
            // -1: the server closed the connection; a reset shows up as SocketException.
            val outcome: Int = try {
                for (c in "GET / HTTP/1.1\r\nX-Slow: ${"a".repeat(100)}") {
                    s.getOutputStream().write(c.code)
                    Thread.sleep(20)
                }
                s.getInputStream().read()
            } catch (e: SocketException) {
                -1
            }
            val millis = (System.nanoTime() - start) / 1_000_000
            println("slow request cut after $millis ms (request deadline 700 ms)")
            outcome shouldBe -1
            (millis in 600..2000) shouldBe true
        }
        Tools.socket(server.port).use { s ->
            val start = System.nanoTime()
            s.getInputStream().read() shouldBe -1
            val millis = (System.nanoTime() - start) / 1_000_000
            (millis in 900..2500) shouldBe true
        }
    }

    "wrk -c 64 -d 3s: no socket errors, no non-2xx responses".config(enabled = Tools.has("wrk")) {
        val longIdle = HttpServer().start(ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0")
        try {
            val r = Tools.run("wrk", "-t", "2", "-c", "64", "-d", "3s", "http://127.0.0.1:${longIdle.port}/", timeoutSeconds = 30)
            println(r.out)
            r.exit shouldBe 0
            r.out shouldNotContain "Socket errors"
            r.out shouldNotContain "Non-2xx"
            val requests = Regex("(\\d+) requests in").find(r.out)!!.groupValues[1].toLong()
            (requests > 1000) shouldBe true
        } finally {
            longIdle.shutdown()
        }
    }

    "shutdown closes idle keep-alive connections at once and answers a request still arriving, with Connection: close" {
        val s2 = HttpServer().start(ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0")
        Tools.socket(s2.port).use { idle ->
            Tools.socket(s2.port).use { busy ->
                idle.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".toByteArray())
                idle.readUntil("Hello, World!") shouldStartWith "HTTP/1.1 200 OK\r\n"
                // Half a body: the server has the head (it answers 100 Continue) and waits for the rest.
                busy.getOutputStream().write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\nhello".toByteArray())
                busy.readN(25) shouldBe "HTTP/1.1 100 Continue\r\n\r\n"
                val started = System.nanoTime()
                val stopper = thread { s2.shutdown() }
                idle.drainToEnd() shouldBe (Tools.End.EOF to 0L)
                val idleMillis = (System.nanoTime() - started) / 1_000_000
                busy.getOutputStream().write("world".toByteArray())
                val r = busy.readToEnd()
                r shouldStartWith "HTTP/1.1 200 OK\r\n"
                r shouldContain "\r\nConnection: close\r\n"
                r shouldEndWith "\r\n\r\nhelloworld"
                stopper.join(10_000)
                stopper.isAlive shouldBe false
                println("shutdown: idle keep-alive connection closed after $idleMillis ms; the request in flight was answered")
                (idleMillis < 1_000) shouldBe true
            }
        }
    }
})
