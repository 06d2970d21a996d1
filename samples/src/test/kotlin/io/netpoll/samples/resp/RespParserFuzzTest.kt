package io.netpoll.samples.resp

import com.code_intelligence.jazzer.junit.FuzzTest
import org.junit.jupiter.api.Assertions.assertEquals
import java.nio.ByteBuffer

/**
 * Coverage-guided fuzzing of [RespParser] (multibulk and inline). For any input bytes:
 * - the only failure is [RespProtocolException] (anything else escapes and is a finding);
 * - fed whole, in two pieces at every split point, or byte by byte, the commands parsed and the
 *   error reached are the same (the parser resumes where it stopped);
 * - every command parsed, re-serialised as multibulk or as a quoted inline line, parses back to
 *   the same arguments.
 * Without JAZZER_FUZZ=1 only the committed seeds in RespParserFuzzTestInputs/parse run.
 */
class RespParserFuzzTest {
    @FuzzTest(maxDuration = "30s")
    fun parse(data: ByteArray) {
        val whole = Outcome.of(data, intArrayOf())
        val splits = if (data.size <= 256) (1 until data.size).toList() else (1..64).map { it * data.size / 65 }
        for (k in splits) assertEquals(whole, Outcome.of(data, intArrayOf(k)), "split at $k")
        if (data.size <= 4096) assertEquals(whole, Outcome.of(data, IntArray(data.size) { it + 1 }), "byte by byte")
        for (args in whole.commands) {
            assertEquals(Outcome(listOf(args), null), Outcome.of(multibulk(args), intArrayOf()), "as multibulk")
            if (args.isNotEmpty()) assertEquals(Outcome(listOf(args), null), Outcome.of(inline(args), intArrayOf()), "as inline")
        }
    }
}

/** What parsing a byte stream gave: the commands' arguments (hex), then the protocol error if any. */
internal data class Outcome(val commands: List<List<String>>, val error: String?) {
    companion object {
        /** Parses [data] arriving in pieces that end at [cuts], as the server feeds the parser. */
        fun of(data: ByteArray, cuts: IntArray): Outcome {
            val p = RespParser(maxBulkBytes = 1 shl 16)
            val buf = ByteBuffer.allocate(data.size)
            val commands = ArrayList<List<String>>()
            var from = 0
            for (end in cuts + data.size) {
                if (end <= from) continue
                buf.put(data, from, end - from)
                from = end
                buf.flip()
                try {
                    while (p.parse(buf) == RespParser.COMPLETE) {
                        if (p.argc > 0) commands += (0 until p.argc).map { hex(p.bytes(it)) }
                    }
                } catch (e: RespProtocolException) {
                    return Outcome(commands, e.message)
                }
                if (buf.position() == 0) buf.position(buf.limit()).limit(buf.capacity()) else buf.compact()
            }
            return Outcome(commands, null)
        }

        private fun hex(b: ByteArray) = b.joinToString("") { "%02x".format(it) }
    }
}

private fun unhex(s: String) = ByteArray(s.length / 2) { s.substring(2 * it, 2 * it + 2).toInt(16).toByte() }

/** [args] (hex) as one multibulk command. */
private fun multibulk(args: List<String>): ByteArray {
    val out = java.io.ByteArrayOutputStream()
    out.write("*${args.size}\r\n".toByteArray())
    for (a in args) {
        val b = unhex(a)
        out.write("\$${b.size}\r\n".toByteArray())
        out.write(b)
        out.write("\r\n".toByteArray())
    }
    return out.toByteArray()
}

/** [args] (hex) as one inline line, each argument double-quoted with every byte escaped as \xHH. */
private fun inline(args: List<String>): ByteArray =
    (args.joinToString(" ") { a -> "\"" + a.chunked(2).joinToString("") { "\\x$it" } + "\"" } + "\r\n").toByteArray()
