package io.netpoll.samples.http

import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.longs.shouldBeLessThan
import io.kotest.matchers.shouldBe
import java.lang.management.ManagementFactory
import java.nio.ByteBuffer
import java.nio.ByteOrder

/** The per-request path of the HTTP sample (parse, route, encode) costs no allocation and finds every line end. */
class HttpHotPathSpec : StringSpec({
    val mx = ManagementFactory.getThreadMXBean() as com.sun.management.ThreadMXBean

    "a keep-alive GET / is parsed, routed and answered without allocating" {
        val session = HttpSession(HttpRoutes { "{}" }, 8192, 1 shl 20)
        val request = "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n".toByteArray()
        val input = ByteBuffer.allocateDirect(1024)
        fun serve(n: Int) {
            for (i in 0 until n) {
                input.clear().put(request).flip()
                // A plain check: a matcher would allocate.
                check(session.process(input)) { "the connection was closed" }
                session.out.clear()
            }
        }
        serve(50_000) // warm-up: compiled, the Date line rendered
        val n = 100_000
        val self = Thread.currentThread().id
        val before = mx.getThreadAllocatedBytes(self)
        serve(n)
        val allocated = mx.getThreadAllocatedBytes(self) - before
        println("HttpHotPathSpec: $n requests parsed and answered allocated $allocated bytes in total")
        // The Date line is rendered once per second (under 100 bytes); nothing else may allocate.
        allocated shouldBeLessThan n.toLong() / 10
    }

    "a line end is found at every offset, in heap and direct buffers of either byte order" {
        val parser = HttpParser()
        for (direct in listOf(false, true)) {
            for (order in listOf(ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN)) {
                for (pathLength in 1..20) {
                    for (pad in 0..20) {
                        val path = "/" + "p".repeat(pathLength - 1)
                        val crlf = if (pad % 2 == 0) "\r\n" else "\n"
                        val text = "GET $path HTTP/1.1${crlf}Host: h${crlf}X-Pad: ${"a".repeat(pad)}${crlf}Content-Length: 1$crlf${crlf}b"
                        val bytes = text.toByteArray()
                        val buf = (if (direct) ByteBuffer.allocateDirect(bytes.size) else ByteBuffer.allocate(bytes.size)).order(order)
                        buf.put(bytes).flip()
                        parser.parse(buf) shouldBe HttpParser.COMPLETE
                        parser.request.path shouldBe path
                        parser.request.bodyText() shouldBe "b"
                        buf.remaining() shouldBe 0
                    }
                }
            }
        }
    }

    "Content-Length is written in decimal for every number of digits" {
        val values = listOf(0, 1, 9, 10, 99, 100, 999, 1000, 65_535, 999_999_999, 1_000_000_000, Int.MAX_VALUE)
        for (v in values) {
            val out = ByteArray(16)
            val end = HttpResponseWriter.decimal(v, out, 3)
            String(out, 3, end - 3, Charsets.US_ASCII) shouldBe v.toString()
        }
    }

    "a 405 carries the same Allow header as before: GET, HEAD on a GET route, POST on /echo" {
        val session = HttpSession(HttpRoutes { "{}" }, 8192, 1 shl 20)
        fun send(raw: String): String {
            session.process(ByteBuffer.wrap(raw.toByteArray()))
            val b = session.out.buffer
            return String(b.array(), 0, b.position()).also { session.out.clear() }
        }
        send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").lines().filter { it.startsWith("Allow:") } shouldBe listOf("Allow: GET, HEAD")
        send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n").lines().filter { it.startsWith("Allow:") } shouldBe listOf("Allow: POST")
    }
})
