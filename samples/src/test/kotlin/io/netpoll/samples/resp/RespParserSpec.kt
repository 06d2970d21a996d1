package io.netpoll.samples.resp

import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import java.lang.management.ManagementFactory
import java.nio.ByteBuffer

/**
 * The parser alone, fed as the server feeds it: bytes appended to one buffer, each call seeing the
 * command under way from its start. What it costs is measured, not assumed: bytes allocated for a
 * header declaring a million arguments, CPU time for a command arriving in many pieces.
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
        fresh.parse(ByteBuffer.wrap(header)) shouldBe RespParser.INCOMPLETE
        val allocated = threads.getThreadAllocatedBytes(Thread.currentThread().id) - before
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

    "a command arriving in many pieces costs CPU linear in its bytes: twice the arguments, about twice the time" {
        fun cpuNanos(args: Int): Long {
            val piece = ("\$1\r\nx\r\n").repeat(10).toByteArray()
            val buf = ByteBuffer.allocate(16 + args * 7)
            buf.put("*$args\r\n".toByteArray())
            val p = RespParser()
            val started = threads.currentThreadCpuTime
            for (i in 0 until args / 10) {
                buf.put(piece)
                buf.flip()
                val status = p.parse(buf)
                if (i < args / 10 - 1) status shouldBe RespParser.INCOMPLETE else status shouldBe RespParser.COMPLETE
                // What the server does between reads when nothing was consumed: append after it.
                buf.position(buf.limit()).limit(buf.capacity())
            }
            p.argc shouldBe args
            return threads.currentThreadCpuTime - started
        }
        val k = 20_000
        cpuNanos(k)
        val once = (1..5).minOf { cpuNanos(k) }
        val twice = (1..5).minOf { cpuNanos(2 * k) }
        val bytes = 7L * 2 * k
        println("parser CPU for a command in 70-byte pieces: $k args ${once / 1000} us, ${2 * k} args ${twice / 1000} us " +
            "(ratio %.2f, %d ns/byte)".format(twice.toDouble() / once, twice / bytes))
        // Linear: about 2 (quadratic would be about 4); and well under a microsecond a byte.
        (twice.toDouble() / once < 3.0) shouldBe true
        (twice / bytes < 500) shouldBe true
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
