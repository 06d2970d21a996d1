package io.netpoll.samples.http

import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.collections.shouldContain
import io.kotest.matchers.shouldBe
import io.kotest.matchers.shouldNotBe
import io.kotest.matchers.string.shouldMatch
import io.netpoll.samples.Tools
import io.netpoll.samples.server.ServerRuntime
import java.time.ZonedDateTime
import java.time.format.DateTimeFormatter
import java.util.Collections
import kotlin.math.abs

/**
 * The sample's HTTP/1.1 parsing against nginx and Go's net/http ([ReferencePeers]) on the same raw
 * bytes. Every case is sent on a fresh connection to all three, followed by [SENTINEL] (a plain
 * request with `Connection: close`), so each server answers everything it parsed and closes:
 * how many answers come back shows how the server framed the bytes (the smuggling case), and the
 * status codes up to the first error show what it decided.
 *
 * Where nginx and Go agree the sample must answer as they do. Where they differ the case records
 * what the sample does and why: the stricter of the two (a refusal cannot desynchronise a front
 * proxy, an acceptance can), or what RFC 9112 and the issue ask for (ignoring empty lines before
 * the request line, 414 for a long target, 431 for oversized headers). The table of all outcomes
 * is printed at the end.
 */
class HttpConformanceSpec : StringSpec({
    val enabled = Tools.has("nginx") and Tools.has("go")
    val peersLazy = lazy { ReferencePeers() }
    val peers by peersLazy
    val server = HttpServer().start(ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0")
    val table = Collections.synchronizedList(ArrayList<String>())
    afterSpec {
        server.shutdown()
        if (peersLazy.isInitialized()) peers.close()
        if (table.isNotEmpty()) {
            println("%-72s %-8s %-8s %-8s %s".format("case", "nginx", "go", "netpoll", "rule"))
            table.forEach(::println)
        }
    }

    for (c in CASES) {
        c.name.config(enabled = enabled) {
            val raw = c.raw.toByteArray(Charsets.ISO_8859_1) + SENTINEL
            val nginx = RawExchange.send(peers.nginx.port, raw)
            val go = RawExchange.send(peers.go.port, raw)
            val ours = RawExchange.send(server.port, raw)
            val agree = nginx.statuses == go.statuses
            table += "%-72s %-8s %-8s %-8s %s".format(c.name.take(72), nginx, go, ours, if (agree) "as both" else c.rule)
            ours.end shouldNotBe Tools.End.TIMEOUT
            if (agree) {
                ours.statuses shouldBe nginx.statuses
            } else {
                ours.statuses shouldBe c.ours
                // A decision where the references differ is one of theirs, unless the issue names it.
                if (!c.rule.startsWith("issue")) listOf(nginx.statuses, go.statuses) shouldContain c.ours
            }
            c.check(ours)
        }
    }

    "the Date header is an IMF-fixdate (two-digit day) as nginx and Go write it".config(enabled = enabled) {
        val fixdate = Regex("(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} \\d{2}:\\d{2}:\\d{2} GMT")
        val raw = SENTINEL
        val dates = listOf(peers.nginx.port, peers.go.port, server.port).map { port ->
            val head = RawExchange.send(port, raw).responses.single().head
            Regex("(?im)^Date: (.*)$").find(head)!!.groupValues[1].trim()
        }
        println("Date headers: nginx '${dates[0]}', go '${dates[1]}', netpoll '${dates[2]}'")
        dates.forEach { it shouldMatch fixdate }
        val seconds = dates.map { ZonedDateTime.parse(it, DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond() }
        (abs(seconds[2] - seconds[0]) <= 5) shouldBe true
    }
}) {
    /** A raw request (ISO-8859-1 text), what the sample answers, and the rule that decides when nginx and Go differ. */
    class Case(val name: String, val raw: String, val ours: List<Int>, val rule: String = "", val check: (RawExchange) -> Unit = {})

    companion object {
        val SENTINEL = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".toByteArray()
        private const val GET = "GET / HTTP/1.1\r\nHost: x\r\n"
        private const val CHUNKED = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        private val OK2 = listOf(200, 200)
        private val E400 = listOf(400)
        private const val STRICTER = "the stricter"

        /** The body of the smuggling case: exactly 34 bytes that are themselves a request. */
        private const val SMUGGLED = "GET /stats HTTP/1.1\r\nHost: xyz\r\n\r\n"

        val CASES = listOf(
            // Line ends: a bare LF ends a line anywhere in the head (RFC 9112 §2.2), as nginx and Go read it.
            Case("a bare LF ends the request line and every header line", "GET / HTTP/1.1\nHost: x\n\n", OK2),
            Case("a bare LF ends the request line", "GET / HTTP/1.1\nHost: x\r\n\r\n", OK2),
            Case("a bare LF ends a header line", "GET / HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n", OK2),
            Case("a bare LF then CRLF ends the head", "GET / HTTP/1.1\r\nHost: x\n\r\n", OK2),
            Case("a CRLF then a bare LF ends the head", "GET / HTTP/1.1\r\nHost: x\r\n\n", OK2),
            Case(
                "a bare LF in the header block is a line end, never part of a value: the 34-byte body that is a request is echoed, not run",
                "POST /echo HTTP/1.1\r\nHost: x\r\nX-A: a\nContent-Length: 34\r\n\r\n$SMUGGLED",
                OK2,
            ) { ours -> ours.responses.first().body shouldBe SMUGGLED },
            // Field values.
            Case("a CR inside a field value is 400", "${GET}X-A: a\rb\r\n\r\n", E400),
            Case("a NUL inside a field value is 400", "${GET}X-A: a\u0000b\r\n\r\n", E400),
            Case("a CR before the CRLF of a field line is 400", "GET / HTTP/1.1\r\nHost: x\r\r\n\r\n", E400, "$STRICTER (Go; nginx drops the CR)"),
            Case("a DEL inside a field value is 400", "${GET}X-A: a\u007fb\r\n\r\n", E400, "$STRICTER (Go; nginx keeps it)"),
            Case("a control byte inside a field value is 400", "${GET}X-A: a\u0001b\r\n\r\n", E400, "$STRICTER (Go; nginx keeps it)"),
            Case("a tab and obs-text inside a field value are kept", "${GET}X-A: a\tb\u00e9\r\n\r\n", OK2),
            // Host.
            Case("an HTTP/1.1 request without Host is 400", "GET / HTTP/1.1\r\n\r\n", E400),
            Case("two Host headers are 400", "${GET}Host: y\r\n\r\n", E400),
            Case("two equal Host headers are 400", "${GET}Host: x\r\n\r\n", E400),
            Case("an empty Host is 400", "GET / HTTP/1.1\r\nHost:\r\n\r\n", E400, "$STRICTER (nginx; Go accepts it)"),
            Case("a Host with a space is 400", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", E400),
            Case("a Host with a slash is 400", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", E400),
            Case("an HTTP/1.0 request needs no Host (and closes after its answer)", "GET / HTTP/1.0\r\n\r\n", listOf(200)),
            // Request targets.
            Case("an absolute-form target is accepted", "GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", OK2),
            Case(
                "an absolute-form target is routed by its path",
                "POST http://x/echo?q=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi",
                OK2,
            ) { ours -> ours.responses.first().body shouldBe "hi" },
            Case("an absolute-form target without a path means /", "GET http://x HTTP/1.1\r\nHost: x\r\n\r\n", OK2),
            Case("an absolute-form target with an upper-case scheme is accepted", "GET HTTP://x/ HTTP/1.1\r\nHost: x\r\n\r\n", OK2),
            Case("an absolute-form target still needs Host", "GET http://x/ HTTP/1.1\r\n\r\n", E400),
            Case("an absolute-form target with userinfo is 400", "GET http://u@x/ HTTP/1.1\r\nHost: x\r\n\r\n", E400, "$STRICTER (nginx; Go accepts it; RFC 9110 §4.2.4)"),
            Case("an authority-form target on GET is 400", "GET x:80 HTTP/1.1\r\nHost: x\r\n\r\n", E400, "$STRICTER (nginx; Go accepts it)"),
            Case("a relative target is 400", "GET a HTTP/1.1\r\nHost: x\r\n\r\n", E400),
            Case("a space inside the target is 400", "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", E400),
            Case("a NUL inside the target is 400", "GET /a\u0000b HTTP/1.1\r\nHost: x\r\n\r\n", E400),
            Case("a DEL inside the target is 400", "GET /\u007f HTTP/1.1\r\nHost: x\r\n\r\n", E400),
            Case("a 100 KB target is 414", "GET /${"a".repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n", listOf(414), "issue (nginx; Go's limit is 1 MiB)"),
            // Empty lines before the request line (RFC 9112 §2.2: a server SHOULD ignore at least one).
            Case("an empty line before the request line is ignored", "\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", OK2, "issue (nginx; Go: 400)"),
            Case("several empty lines before the request line are ignored", "\r\n\r\n\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", OK2, "issue (nginx; Go: 400)"),
            // Versions.
            Case("HTTP/2.0 on the request line is 505", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", listOf(505)),
            Case("HTTP/3.0 on the request line is 505", "GET / HTTP/3.0\r\nHost: x\r\n\r\n", listOf(505)),
            Case("HTTP/0.9 on the request line is 505", "GET / HTTP/0.9\r\nHost: x\r\n\r\n", listOf(505), "Go (nginx: 400): an unknown major version"),
            Case("HTTP/1.2 is served as HTTP/1.1", "GET / HTTP/1.2\r\nHost: x\r\n\r\n", OK2),
            Case("a two-digit minor version is 400", "GET / HTTP/1.10\r\nHost: x\r\n\r\n", E400, "$STRICTER (Go; nginx accepts it)"),
            Case("a lower-case protocol name is 400", "GET / http/1.1\r\nHost: x\r\n\r\n", E400),
            // Request-line syntax.
            Case("two spaces after the method are 400", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", E400, "$STRICTER (Go; nginx accepts them)"),
            Case("a space after the version is 400", "GET / HTTP/1.1 \r\nHost: x\r\n\r\n", E400, "$STRICTER (Go; nginx accepts it)"),
            Case("a tab between method and target is 400", "GET\t/ HTTP/1.1\r\nHost: x\r\n\r\n", E400),
            Case("a lower-case method is 400", "get / HTTP/1.1\r\nHost: x\r\n\r\n", E400, "$STRICTER (nginx; Go accepts it)"),
            Case("a request line without a version is 400", "GET /\r\nHost: x\r\n\r\n", E400, "Go (nginx answers as HTTP/0.9)"),
            // Header field syntax.
            Case("whitespace between a field name and its colon is 400", "${GET}X-A : b\r\n\r\n", E400),
            Case("a folded field line (obs-fold) is 400", "${GET}X-A: b\r\n c\r\n\r\n", E400, "$STRICTER (nginx; Go unfolds it)"),
            Case("a field line without a colon is 400", "${GET}NoColon\r\n\r\n", E400, "$STRICTER (Go; nginx ignores the line)"),
            Case("a field line with an empty name is 400", "$GET: b\r\n\r\n", E400, "$STRICTER (nginx; Go accepts it)"),
            Case("a field name with a non-token byte is 400", "${GET}X(A): b\r\n\r\n", E400, "$STRICTER (Go; nginx ignores the line)"),
            // Body framing.
            Case("Content-Length together with Transfer-Encoding is 400", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", E400, "$STRICTER (nginx; Go drops Content-Length)"),
            Case("two different Content-Length headers are 400", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", E400),
            Case("two equal Content-Length headers are 400", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab", E400, "$STRICTER (nginx; Go accepts them)"),
            Case("a Content-Length list is 400", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 2\r\n\r\nab", E400),
            Case("a signed Content-Length is 400", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: +2\r\n\r\nab", E400),
            Case("an empty Content-Length is 400", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n", E400, "$STRICTER (nginx; Go reads it as 0)"),
            Case("a 20-digit Content-Length is 400", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n", E400),
            Case("a transfer coding other than chunked is 501", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", listOf(501)),
            Case("chunked applied twice in one field is 501", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", listOf(501)),
            Case("two Transfer-Encoding fields are 501", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", listOf(501), "Go (nginx: 400): chunked applied twice, as in one field"),
            Case("Transfer-Encoding on HTTP/1.0 is 400", "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", E400, "$STRICTER (nginx; Go accepts it; RFC 9112 §6.1: faulty framing)"),
            Case("the coding name is case-insensitive", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n", OK2),
            // Chunked bodies.
            Case("a chunked body is accepted", "${CHUNKED}3\r\nabc\r\n0\r\n\r\n", OK2) { ours -> ours.responses.first().body shouldBe "abc" },
            Case("a chunk extension is ignored", "${CHUNKED}3;a=b\r\nabc\r\n0\r\n\r\n", OK2),
            Case("whitespace after a chunk size is ignored", "${CHUNKED}3 \r\nabc\r\n0\r\n\r\n", OK2),
            Case("a bare LF ends a chunk-size line", "${CHUNKED}3\nabc\r\n0\r\n\r\n", OK2),
            Case("a bare LF ends a trailer line", "${CHUNKED}3\r\nabc\r\n0\r\nX: a\n\r\n", OK2),
            Case("a bare LF after chunk data is 400", "${CHUNKED}3\r\nabc\n0\r\n\r\n", E400, "$STRICTER (Go; nginx accepts it)"),
            Case("a chunk size that is not hex is 400", "${CHUNKED}zz\r\n", E400),
            Case("a chunk size with 0x is 400", "${CHUNKED}0x3\r\nabc\r\n0\r\n\r\n", E400),
            Case("a chunk size of more than 16 hex digits is 400", "${CHUNKED}00000000000000000003\r\nabc\r\n0\r\n\r\n", E400, "$STRICTER (Go; nginx accepts leading zeros)"),
            Case("a chunk size overflowing 64 bits is 400", "${CHUNKED}ffffffffffffffffff\r\nab", E400),
        )
    }
}
