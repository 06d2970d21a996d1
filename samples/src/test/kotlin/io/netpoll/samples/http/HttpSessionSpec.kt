package io.netpoll.samples.http

import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.collections.shouldContain
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldStartWith
import java.nio.ByteBuffer
import java.time.Instant
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter
import java.util.Locale
import kotlin.random.Random

/** HTTP/1.1 parsing, limits and routes on byte buffers, no sockets. */
class HttpSessionSpec : StringSpec({
    class Client(maxHeader: Int = 8192, maxBody: Int = 1 shl 20) {
        val session = HttpSession(HttpRoutes { "{\"ok\":true}" }, maxHeader, maxBody)
        val input: ByteBuffer = ByteBuffer.allocate(1 shl 22)
        var open = true

        fun send(raw: String): String {
            input.put(raw.toByteArray())
            input.flip()
            open = session.process(input)
            input.compact()
            val b = session.out.buffer
            val s = String(b.array(), 0, b.position())
            session.out.clear()
            return s
        }
    }

    fun bodyOf(response: String) = response.substringAfter("\r\n\r\n")

    "GET / answers Hello, World! as text/plain with Date, Server and Content-Length" {
        val c = Client()
        val r = c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        r shouldStartWith "HTTP/1.1 200 OK\r\n"
        r shouldContain "\r\nServer: netpoll-jvm\r\n"
        r shouldContain "\r\nDate: "
        r shouldContain "\r\nContent-Type: text/plain; charset=utf-8\r\n"
        r shouldContain "\r\nContent-Length: 13\r\n"
        bodyOf(r) shouldBe "Hello, World!"
        c.open shouldBe true
    }

    "pipelined requests are answered in order; Connection: close ends after its response" {
        val c = Client()
        val r = c.send("GET /json HTTP/1.1\r\nHost: x\r\n\r\nGET /stats HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        r.split("HTTP/1.1 200 OK").size shouldBe 4
        r shouldContain "{\"message\":\"Hello, World!\"}"
        r shouldContain "{\"ok\":true}"
        r shouldContain "Connection: close"
        c.open shouldBe false
    }

    "HTTP/1.0 closes by default" {
        val c = Client()
        c.send("GET / HTTP/1.0\r\n\r\n") shouldContain "Connection: close"
        c.open shouldBe false
    }

    "POST /echo returns a Content-Length body and a chunked body, split across reads" {
        val c = Client()
        bodyOf(c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/x\r\nContent-Length: 5\r\n\r\nhello")) shouldBe "hello"
        c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki") shouldBe ""
        c.send("\r\n5;ext=1\r\npedia\r\n") shouldBe ""
        val r = c.send("0\r\nTrailer: x\r\n\r\n")
        r shouldContain "Content-Length: 9\r\n"
        r shouldContain "Content-Type: application/octet-stream\r\n"
        bodyOf(r) shouldBe "wikipedia"
    }

    "Expect: 100-continue gets an interim response once" {
        val c = Client()
        c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n") shouldBe "HTTP/1.1 100 Continue\r\n\r\n"
        c.send("a") shouldBe ""
        bodyOf(c.send("bc")) shouldBe "abc"
    }

    "routes: 404 for unknown paths, 405 with Allow for the wrong method, HEAD without body" {
        val c = Client()
        c.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n") shouldStartWith "HTTP/1.1 404 Not Found\r\n"
        val r = c.send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n")
        r shouldStartWith "HTTP/1.1 405 Method Not Allowed\r\n"
        r shouldContain "Allow: POST\r\n"
        val h = c.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
        h shouldContain "Content-Length: 13\r\n"
        bodyOf(h) shouldBe ""
    }

    "malformed requests are 400 and close; an unsupported coding 501, another major version 505" {
        for (raw in listOf(
            "GARBAGE\r\n\r\n",
            "get / HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: x\r\n\r\n",
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        )) {
            val c = Client()
            c.send(raw) shouldStartWith "HTTP/1.1 400 Bad Request\r\n"
            c.open shouldBe false
        }
        Client().send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n") shouldStartWith "HTTP/1.1 501 "
        Client().send("GET / HTTP/2.0\r\nHost: x\r\n\r\n") shouldStartWith "HTTP/1.1 505 HTTP Version Not Supported\r\n"
    }

    "a header section over the limit is 431, a body over the limit 413 before it arrives" {
        val c = Client(maxHeader = 1024, maxBody = 100)
        c.send("GET / HTTP/1.1\r\nHost: x\r\nX: ${"a".repeat(2000)}") shouldStartWith "HTTP/1.1 431 Request Header Fields Too Large\r\n"
        c.open shouldBe false
        val d = Client(maxHeader = 1024, maxBody = 100)
        d.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n") shouldStartWith "HTTP/1.1 413 Content Too Large\r\n"
        val e = Client(maxHeader = 1024, maxBody = 100)
        e.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n60\r\n${"a".repeat(96)}\r\n10\r\n") shouldStartWith
            "HTTP/1.1 413 "
    }

    "the issue's requests: a bare LF is a line end (one answer to the smuggling case), Host is required once, absolute-form and leading empty lines accepted, 505, 414" {
        val smuggled = "GET /stats HTTP/1.1\r\nHost: xyz\r\n\r\n"
        val r = Client().send("POST /echo HTTP/1.1\r\nHost: x\r\nX-A: a\nContent-Length: 34\r\n\r\n$smuggled")
        r.split("HTTP/1.1 ").size shouldBe 2
        bodyOf(r) shouldBe smuggled
        Client().send("GET / HTTP/1.1\nHost: x\n\n") shouldStartWith "HTTP/1.1 200 OK\r\n"
        Client().send("GET / HTTP/1.1\r\n\r\n") shouldStartWith "HTTP/1.1 400 "
        Client().send("GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n") shouldStartWith "HTTP/1.1 400 "
        Client().send("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n") shouldStartWith "HTTP/1.1 400 "
        Client().send("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n") shouldStartWith "HTTP/1.1 400 "
        bodyOf(Client().send("GET http://x/json HTTP/1.1\r\nHost: x\r\n\r\n")) shouldBe "{\"message\":\"Hello, World!\"}"
        Client().send("\r\n\nGET / HTTP/1.1\r\nHost: x\r\n\r\n") shouldStartWith "HTTP/1.1 200 OK\r\n"
        Client().send("GET / HTTP/3.0\r\nHost: x\r\n\r\n") shouldStartWith "HTTP/1.1 505 "
        Client().send("GET /${"a".repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n") shouldStartWith "HTTP/1.1 414 URI Too Long\r\n"
    }

    "requests split at any byte boundary get the same answers as sent whole" {
        val pipeline = "GET / HTTP/1.1\nHost: x\n\n" +
            "\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/x\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\nhello world" +
            "POST http://x/echo?q HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nwiki\r\n5 \npedia\r\n0\r\nT: 1\n\r\n" +
            "GET /json HTTP/1.0\r\n\r\n"
        val dateLine = Regex("\r\nDate: [^\r]*")
        val whole = Client().send(pipeline).replace(dateLine, "")
        whole.split("HTTP/1.1 200 OK").size shouldBe 5
        for (piece in 1..13) {
            val c = Client()
            val answers = pipeline.chunked(piece).joinToString("") { c.send(it) }
            // The 100 Continue goes out only when the body has not arrived with the head.
            answers.replace(dateLine, "").replace("HTTP/1.1 100 Continue\r\n\r\n", "") shouldBe whole.replace("HTTP/1.1 100 Continue\r\n\r\n", "")
            c.open shouldBe false
        }
    }

    "Date is an IMF-fixdate: a two-digit day, as DateTimeFormatter writes it for 100,000 random instants" {
        fun format(epochSecond: Long) = ByteArray(29).also { HttpDate.format(epochSecond, it, 0) }.toString(Charsets.US_ASCII)
        format(Instant.parse("2026-12-03T08:00:00Z").epochSecond) shouldBe "Thu, 03 Dec 2026 08:00:00 GMT"
        format(0) shouldBe "Thu, 01 Jan 1970 00:00:00 GMT"
        format(Instant.parse("2000-02-29T23:59:59Z").epochSecond) shouldBe "Tue, 29 Feb 2000 23:59:59 GMT"
        val reference = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC)
        val random = Random(11)
        repeat(100_000) {
            val t = random.nextLong(0, Instant.parse("9999-12-31T23:59:59Z").epochSecond)
            format(t) shouldBe reference.format(Instant.ofEpochSecond(t))
        }
        val before = System.currentTimeMillis() / 1000
        val current = String(HttpDate.current(), Charsets.US_ASCII)
        val after = System.currentTimeMillis() / 1000
        listOf(before, after).map { "\r\nDate: " + format(it) } shouldContain current
    }

    "draining answers the request in hand with Connection: close" {
        val c = Client()
        c.input.put("GET / HTTP/1.1\r\nHost: x\r\n\r\n".toByteArray())
        c.input.flip()
        c.session.process(c.input, draining = true) shouldBe false
        String(c.session.out.buffer.array(), 0, c.session.out.size) shouldContain "Connection: close"
    }
})
