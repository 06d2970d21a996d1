package io.netpoll.samples.faults

import io.netpoll.net.BufReader
import io.netpoll.testing.SeededStream
import java.io.ByteArrayOutputStream
import java.io.EOFException
import java.nio.ByteBuffer
import java.nio.charset.StandardCharsets

/**
 * [requests] pipelined `POST /echo` requests with [bodyBytes]-byte seeded bodies (Content-Length
 * framing). Each response must be `200 OK` with the same length and content type and the body
 * byte for byte; progress counts echoed body bytes. The response heads carry a `Date`, so the
 * reply stream is not known byte for byte: faults towards the client are checked as "at most".
 */
class HttpExchange(seed: Long, private val requests: Int, private val bodyBytes: Int) : Exchange("http") {
    private val data = SeededStream(seed)
    private val requestEnds = LongArray(requests)
    override val request: ByteArray

    init {
        val req = ByteArrayOutputStream()
        for (i in 0 until requests) {
            req.write(
                ("POST /echo HTTP/1.1\r\nHost: faults\r\nContent-Type: application/x-fault-$i\r\n" +
                    "Content-Length: $bodyBytes\r\n\r\n").toByteArray(),
            )
            req.write(data.bytes(i.toLong() * bodyBytes, bodyBytes))
            requestEnds[i] = req.size().toLong()
        }
        request = req.toByteArray()
    }

    override val total: Long get() = requests.toLong() * bodyBytes

    override fun owed(n: Long): Long = requestEnds.count { it <= n }.toLong() * bodyBytes

    override fun inReplyPrefix(n: Long): Long? = null

    /** A third into the responses (heads of about 150 bytes). */
    override val replyFaultAt: Long get() = requests * (bodyBytes + 150L) / 3

    override suspend fun readReplies(br: BufReader) {
        val b = ByteBuffer.allocate(2048)
        for (i in 0 until requests) {
            val status = line(br) ?: throw EOFException("end of stream before response $i")
            if (status != "HTTP/1.1 200 OK") throw AssertionError("$name: response $i: '$status'")
            var length = -1
            var type: String? = null
            while (true) {
                val h = line(br) ?: throw EOFException("end of stream in the head of response $i")
                if (h.isEmpty()) break
                val colon = h.indexOf(':')
                val value = h.substring(colon + 1).trim()
                when (h.substring(0, colon).lowercase()) {
                    "content-length" -> length = value.toInt()
                    "content-type" -> type = value
                }
            }
            if (length != bodyBytes || type != "application/x-fault-$i") {
                throw AssertionError("$name: response $i: Content-Length $length, Content-Type $type")
            }
            var got = 0
            while (got < bodyBytes) {
                b.clear().limit(minOf(b.capacity(), bodyBytes - got))
                if (br.read(b) < 0) throw EOFException("end of stream in the body of response $i")
                b.flip()
                for (j in 0 until b.limit()) {
                    val at = i.toLong() * bodyBytes + got + j
                    if (b.get(j) != data.at(at)) throw AssertionError("$name: body byte ${got + j} of response $i is wrong")
                }
                got += b.limit()
                verified += b.limit()
            }
        }
    }

    /** A head line without its CRLF; null at end of stream; EOFException if it ends mid-line. */
    private suspend fun line(br: BufReader): String? {
        val s = br.readSlice('\n'.code.toByte()) ?: return null
        val text = StandardCharsets.ISO_8859_1.decode(s).toString()
        if (!text.endsWith("\r\n")) throw AssertionError("$name: head line without CRLF: '$text'")
        return text.substring(0, text.length - 2)
    }
}
