package io.netpoll.samples.resp

import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import java.lang.management.ManagementFactory
import java.nio.ByteBuffer

/**
 * The parser alone, fed as the server feeds it: bytes appended to one buffer, each call seeing the
 * command under way from its start. What it costs is shown, not assumed: bytes allocated for a
 * header declaring a million arguments, and that a command arriving in many pieces is read once.
 */
class RespParserSpec : StringSpec({
    val threads = ManagementFactory.getThreadMXBean() as com.sun.management.ThreadMXBean

    "a header declaring 1,048,576 arguments allocates nothing in proportion to the count" {
        val p = RespParser()
        val header = "*1048576\r\n\$1\r\n".toByteArray()
        val buf = ByteBuffer.allocate(64).put(header).flip()
        p.parse(buf) // warm-up of the code path, then the measured call on a fresh parser
        val fresh = RespParser()
        val before = threads.getThreadAllocatedBytes(Thread.currentThread().id)
        val status = fresh.parse(ByteBuffer.wrap(header))
        val allocated = threads.getThreadAllocatedBytes(Thread.currentThread().id) - before
        // Asserted after the measurement: the first assertion in a JVM loads the matcher classes.
        status shouldBe RespParser.INCOMPLETE
        println("a 13-byte header declaring 1,048,576 arguments: $allocated bytes allocated by the parser")
        (allocated < 4096) shouldBe true
    }

    "arguments, fed whole, in two parts at every split point, or byte by byte, are the same" {
        val inputs = listOf(
            "*3\r\n\$3\r\nSET\r\n\$1\r\nk\r\n\$5\r\nva\r\nl\r\n",
            "*2\r\n\$4\r\nECHO\r\n\$0\r\n\r\n",
            "*0\r\n",
            "*-1\r\n",
            "ECHO \"a b\" 'c\\'d' \"\\x41\\n\" e\r\n",
            "PING\n",
            "\r\n",
            "SET  k\t \"\"\r\n",
        )
        for (text in inputs) {
            val bytes = text.toByteArray()
            val whole = feed(RespParser(), listOf(bytes))
            for (split in 1 until bytes.size) {
                feed(RespParser(), listOf(bytes.copyOfRange(0, split), bytes.copyOfRange(split, bytes.size))) shouldBe whole
            }
            feed(RespParser(), bytes.map { byteArrayOf(it) }) shouldBe whole
        }
        feed(RespParser(), listOf("ECHO \"a b\" 'c\\'d' \"\\x41\\n\" e\r\n".toByteArray())) shouldBe
            listOf(listOf("ECHO", "a b", "c'd", "A\n", "e"))
        println("${inputs.size} commands parsed alike at every split point")
    }

    "a command arriving in many pieces is read once: bytes already parsed are never looked at again" {
        // After each INCOMPLETE call every element then in the buffer has been parsed, so they are
        // overwritten with bytes no command can hold; a parser that went back to the command's
        // start (quadratic in the pieces) would meet them and fail. Deterministic, unlike CPU time.
        val args = 20_000
        val element = "\$1\r\nx\r\n".toByteArray()
        val buf = ByteBuffer.allocate(16 + args * element.size)
        buf.put("*$args\r\n".toByteArray())
        val p = RespParser()
        var calls = 0
        var sent = 0
        val total = args * element.size
        while (true) {
            // Pieces of 10 elements plus 3 bytes, so most calls end inside an element's line or bulk.
            val n = minOf(10 * element.size + 3, total - sent)
            repeat(n) { buf.put(element[(sent + it) % element.size]) }
            sent += n
            val parsedUpTo = buf.position() - (sent % element.size)
            buf.flip()
            val status = p.parse(buf)
            calls++
            if (sent < total) {
                status shouldBe RespParser.INCOMPLETE
                for (i in 0 until parsedUpTo) buf.put(i, '#'.code.toByte())
                buf.position(buf.limit()).limit(buf.capacity())
            } else {
                status shouldBe RespParser.COMPLETE
                break
            }
        }
        p.argc shouldBe args
        p.length(args - 1) shouldBe 1
        println("a command of $args arguments in $calls pieces, its parsed bytes overwritten after each: parsed whole")
    }

    "an inline command arriving in many pieces is scanned once for its line end" {
        // Line ends written over what was already scanned are not seen again.
        val p = RespParser()
        val buf = ByteBuffer.allocate(4096)
        buf.put("ECHO ".toByteArray())
        repeat(100) {
            buf.put("abcdefgh".toByteArray())
            val scanned = buf.position()
            buf.flip()
            p.parse(buf) shouldBe RespParser.INCOMPLETE
            for (i in 0 until scanned) buf.put(i, '\n'.code.toByte())
            buf.position(buf.limit()).limit(buf.capacity())
        }
        buf.put("\r\n".toByteArray()).flip()
        p.parse(buf) shouldBe RespParser.COMPLETE
        buf.hasRemaining() shouldBe false
    }
})

/** Feeds [pieces] to [p] as the server does and returns the arguments of each complete command. */
private fun feed(p: RespParser, pieces: List<ByteArray>): List<List<String>> {
    val buf = ByteBuffer.allocate(pieces.sumOf { it.size } + 1)
    val commands = ArrayList<List<String>>()
    for (piece in pieces) {
        buf.put(piece)
        buf.flip()
        while (p.parse(buf) == RespParser.COMPLETE) {
            if (p.argc > 0) commands += (0 until p.argc).map { p.string(it) }
        }
        buf.compact()
    }
    return commands
}
