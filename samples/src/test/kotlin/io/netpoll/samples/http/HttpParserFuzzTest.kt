package io.netpoll.samples.http

import com.code_intelligence.jazzer.junit.FuzzTest
import java.nio.ByteBuffer

/**
 * Coverage-guided fuzzing (Jazzer) of [HttpParser]: the request head and the chunked decoder.
 * Without JAZZER_FUZZ only the committed seeds run (HttpParserFuzzTestInputs/<method>/: valid
 * requests, pipelines, chunked bodies, the smuggling case, and any crash found since). A bounded
 * run, one target per JVM:
 * `JAZZER_FUZZ=1 JAZZER_MAX_DURATION=30s mvn -B -o -pl samples -am verify -Dtest='HttpParserFuzzTest#requests' -Dsurefire.failIfNoSpecifiedTests=false`.
 *
 * Properties checked on every input, each violation an exception the fuzzer reports:
 * - [HttpParser.parse] throws nothing but [HttpError], with one of its documented statuses; it
 *   never reads outside the readable bytes (the buffer's limit would throw);
 * - its position only moves forward, and what it leaves unconsumed after [HttpParser.INCOMPLETE]
 *   is at most one unfinished line (never the body: memory follows the bytes received);
 * - a request's body is never longer than the bytes fed, nor its buffer more than twice that;
 * - fed whole, byte by byte, or in pieces of any size, the input gets the same outcomes.
 */
class HttpParserFuzzTest {
    @FuzzTest(maxDuration = "30s")
    fun requests(data: ByteArray) {
        sameOutcomesHoweverSplit(data)
    }

    /** The input as the body of a chunked POST; a decoded body re-encoded as one chunk decodes the same. */
    @FuzzTest(maxDuration = "30s")
    fun chunkedBodies(data: ByteArray) {
        val input = CHUNKED_HEAD + data
        val outcomes = sameOutcomesHoweverSplit(input)
        val first = outcomes.first()
        if (first.startsWith("request ")) {
            val body = first.substringAfter(" body=")
            check(body.length <= data.size) { "decoded body longer than its encoding" }
            val again = CHUNKED_HEAD + "${Integer.toHexString(body.length)}\r\n$body\r\n0\r\n\r\n".toByteArray(Charsets.ISO_8859_1)
            val echo = outcomes(again, again.size).first()
            check(echo.substringAfter(" body=") == body) { "re-encoded body decodes differently: $echo" }
        }
    }

    private fun sameOutcomesHoweverSplit(data: ByteArray): List<String> {
        val whole = outcomes(data, data.size.coerceAtLeast(1))
        for (piece in intArrayOf(1, 2 + data.size % 11)) {
            val split = outcomes(data, piece)
            check(split == whole) { "fed in pieces of $piece: $split, whole: $whole" }
        }
        return whole
    }

    /** Feeds [data] in pieces of [piece] bytes; each completed request, then the error or the state at the end. */
    private fun outcomes(data: ByteArray, piece: Int): List<String> {
        val parser = HttpParser(MAX_HEADER, MAX_BODY)
        val buf = ByteBuffer.allocate(data.size)
        val out = ArrayList<String>()
        var fed = 0
        while (fed < data.size) {
            val n = minOf(piece, data.size - fed)
            buf.put(data, fed, n)
            fed += n
            buf.flip()
            while (true) {
                val before = buf.position()
                val status = try {
                    parser.parse(buf)
                } catch (e: HttpError) {
                    check(e.status in STATUSES) { "undocumented status ${e.status}" }
                    out += "error ${e.status}"
                    return out
                }
                check(buf.position() in before..buf.limit()) { "position moved from $before to ${buf.position()} (limit ${buf.limit()})" }
                if (status == HttpParser.INCOMPLETE) {
                    check(buf.remaining() <= MAX_LINE) { "${buf.remaining()} bytes left unconsumed" }
                    break
                }
                check(status == HttpParser.COMPLETE)
                val r = parser.request
                check(r.bodyLength <= fed && r.body.size <= maxOf(1024, 2 * fed)) { "body ${r.bodyLength} in ${r.body.size} bytes after $fed fed" }
                out += "request ${r.method} ${r.path} http11=${r.http11} keepAlive=${r.keepAlive} chunked=${r.chunked} type=${r.contentType} body=" +
                    String(r.body, 0, r.bodyLength, Charsets.ISO_8859_1)
            }
            buf.compact()
        }
        out += "incomplete inRequest=${parser.inRequest}"
        return out
    }

    private companion object {
        const val MAX_HEADER = 512
        const val MAX_BODY = 4096

        // An unfinished head line is refused past MAX_HEADER, an unfinished chunk-size line past 4 KiB.
        const val MAX_LINE = 4096
        val STATUSES = setOf(400, 413, 414, 431, 501, 505)
        val CHUNKED_HEAD = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".toByteArray()
    }
}
