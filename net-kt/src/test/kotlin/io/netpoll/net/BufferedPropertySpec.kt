@file:OptIn(io.kotest.common.ExperimentalKotest::class)

package io.netpoll.net

import io.kotest.assertions.withClue
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.property.Arb
import io.kotest.property.PropTestConfig
import io.kotest.property.arbitrary.Codepoint
import io.kotest.property.arbitrary.alphanumeric
import io.kotest.property.arbitrary.boolean
import io.kotest.property.arbitrary.byte
import io.kotest.property.arbitrary.byteArray
import io.kotest.property.arbitrary.choice
import io.kotest.property.arbitrary.int
import io.kotest.property.arbitrary.list
import io.kotest.property.arbitrary.map
import io.kotest.property.arbitrary.of
import io.kotest.property.arbitrary.string
import io.kotest.property.checkAll
import io.netpoll.poller.RealReadiness
import io.netpoll.poller.fd.NetFD
import io.netpoll.poller.sys.Sys
import io.netpoll.testing.PropertyScale.scaled
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.yield
import java.io.ByteArrayOutputStream
import java.io.EOFException
import java.nio.BufferOverflowException
import java.nio.ByteBuffer

/** One call on a [BufReader]. */
private sealed interface ReadOp {
    data object Line : ReadOp
    data class Fully(val n: Int) : ReadOp
    data class Some(val n: Int) : ReadOp
    data object OneByte : ReadOp
}

/** One call on a [BufWriter]. */
private sealed interface WriteOp {
    class Bytes(val bytes: ByteArray, val direct: Boolean) : WriteOp {
        override fun toString() = "Bytes(${bytes.size}${if (direct) ", direct" else ""})"
    }
    data class OneByte(val b: Int) : WriteOp
    data class Text(val s: String) : WriteOp
    data object Flush : WriteOp
}

/**
 * What a [BufReader] of [size] bytes must return, read straight off the whole input: bufio's
 * semantics without a buffer, except that a line (with its "\n") longer than the buffer, or an
 * unterminated last line as long as it, is a [BufferOverflowException] that consumes nothing.
 */
private class ReaderModel(private val input: ByteArray, private val size: Int) {
    var pos = 0
        private set
    val remaining: Int
        get() = input.size - pos

    /** The line, null at the end, or [OVERFLOW]. */
    fun readLine(): Any? {
        if (pos == input.size) {
            return null
        }
        var nl = pos
        while (nl < input.size && input[nl] != '\n'.code.toByte()) nl++
        val terminated = nl < input.size
        val frameEnd = if (terminated) nl + 1 else input.size
        if (frameEnd - pos > size || !terminated && frameEnd - pos >= size) {
            return OVERFLOW
        }
        var end = frameEnd
        if (end > pos && input[end - 1] == '\n'.code.toByte()) end--
        if (end > pos && input[end - 1] == '\r'.code.toByte()) end--
        val line = String(input, pos, end - pos, Charsets.UTF_8)
        pos = frameEnd
        return line
    }

    fun take(n: Int): ByteArray = input.copyOfRange(pos, pos + n).also { pos += n }

    companion object {
        val OVERFLOW = Any()
    }
}

private fun ByteBuffer.written(): ByteArray = ByteArray(position()).also { get(0, it) }

/** A connected Unix stream socket pair as Conns: a write is in the peer's receive queue when it returns. */
private fun connPair(): Pair<Conn, Conn> {
    val fds = NetFD.socketPair(Sys.SOCK_STREAM)
    return Conn.of(fds[0]) to Conn.of(fds[1])
}

/**
 * Writes [input] to [out] in chunks of the given sizes (cycled), each only once the reader's
 * receive queue is empty, so that no read sees two chunks at once; then ends the stream.
 */
private suspend fun feed(out: Conn, input: ByteArray, chunks: List<Int>, readerFd: Int) {
    var off = 0
    var i = 0
    while (off < input.size) {
        val n = minOf(chunks[i++ % chunks.size], input.size - off)
        out.write(ByteBuffer.wrap(input, off, n))
        off += n
        var spins = 0
        while (RealReadiness.bytesReadable(readerFd) > 0) {
            if (++spins < 100) yield() else delay(1)
        }
    }
    out.closeWrite()
}

private val pieces: Arb<String> = Arb.choice(
    Arb.string(0..12, Codepoint.alphanumeric()),
    Arb.of("\n", "\r\n", "\r", "\n\n", "\r\n\r\n", "é", "€", "😀"),
    Arb.int(14..70).map { "L".repeat(it) }, // around and past the buffer sizes below
)
private val inputs: Arb<ByteArray> = Arb.list(pieces, 0..40).map { it.joinToString("").toByteArray(Charsets.UTF_8) }
private val chunkings: Arb<List<Int>> = Arb.list(Arb.int(1..40), 1..12)
private val readOps: Arb<List<ReadOp>> = Arb.list(
    Arb.choice(
        Arb.of(ReadOp.Line, ReadOp.OneByte),
        Arb.int(0..70).map { ReadOp.Fully(it) },
        Arb.int(1..70).map { ReadOp.Some(it) },
    ),
    0..30,
)

private val texts: Arb<String> = Arb.choice(
    Arb.string(0..40, Codepoint.alphanumeric()),
    Arb.of("é", "€", "😀", "\uD83D", "\uDE00", "a\uD83D", "\u0000", ""),
    Arb.int(250..260).map { "a".repeat(it) + "😀€" }, // a surrogate pair across the encoder's 256-char chunks
    Arb.list(Arb.of("😀", "é", "x", "\uDE00"), 0..300).map { it.joinToString("") },
)
private val byteArrays: Arb<ByteArray> = Arb.choice(
    Arb.byteArray(Arb.int(0..100), Arb.byte()),
    Arb.byteArray(Arb.int(100..300), Arb.byte()), // larger than the buffer: written past it when it is empty
)
private val writeOps: Arb<List<WriteOp>> = Arb.list(
    Arb.choice(
        byteArrays.map { WriteOp.Bytes(it, false) },
        byteArrays.map { WriteOp.Bytes(it, true) },
        Arb.int(0..255).map { WriteOp.OneByte(it) },
        texts.map { WriteOp.Text(it) },
        Arb.of(WriteOp.Flush),
    ),
    0..40,
)

/** Small buffers fill inside a string; large ones let the encoder reach the end of its 256-char chunks. */
private val writerSizes: Arb<Int> = Arb.choice(Arb.int(16..48), Arb.int(300..1200))

class BufferedPropertySpec : FunSpec({
    test("BufReader's readLine, readFully, read and readByte equal a reference model over any input in any chunking") {
        var iterations = 0
        var bytes = 0L
        var overflows = 0
        checkAll(PropTestConfig(iterations = scaled(200)), inputs, chunkings, Arb.int(16..48), readOps) { input, chunks, size, ops ->
            net {
                val (a, b) = connPair()
                val writer = launch { feed(b, input, chunks, a.fd.fd()) }
                val r = BufReader(a, size)
                val model = ReaderModel(input, size)
                ops.forEachIndexed { i, op ->
                    withClue("op $i $op at byte ${model.pos}") {
                        when (op) {
                            ReadOp.Line -> {
                                val want = model.readLine()
                                val got = try {
                                    r.readLine()
                                } catch (e: BufferOverflowException) {
                                    overflows++
                                    ReaderModel.OVERFLOW
                                }
                                got shouldBe want
                            }
                            is ReadOp.Fully -> {
                                val dst = ByteBuffer.allocate(op.n)
                                if (model.remaining >= op.n) {
                                    r.readFully(dst)
                                    dst.array() shouldBe model.take(op.n)
                                } else {
                                    val want = model.take(model.remaining)
                                    try {
                                        r.readFully(dst)
                                        error("readFully(${op.n}) returned with ${want.size} bytes left")
                                    } catch (e: EOFException) {
                                        dst.written() shouldBe want
                                    }
                                }
                            }
                            is ReadOp.Some -> {
                                val dst = ByteBuffer.allocate(op.n)
                                val n = r.read(dst)
                                if (model.remaining == 0) {
                                    n shouldBe -1
                                } else {
                                    (n in 1..minOf(op.n, model.remaining)) shouldBe true
                                    dst.written() shouldBe model.take(n)
                                }
                            }
                            ReadOp.OneByte ->
                                r.readByte() shouldBe if (model.remaining == 0) -1 else model.take(1)[0].toInt() and 0xff
                        }
                    }
                }
                val rest = ByteArrayOutputStream()
                val dst = ByteBuffer.allocate(37)
                while (true) {
                    dst.clear()
                    if (r.read(dst) < 0) break
                    rest.write(dst.array(), 0, dst.position())
                }
                rest.toByteArray() shouldBe model.take(model.remaining)
                writer.join()
                a.close()
                b.close()
            }
            iterations++
            bytes += input.size
        }
        println("BufReader property: $iterations inputs, $bytes bytes in chunks of 1-40 through 16-48-byte buffers, $overflows lines longer than the buffer")
    }

    test("any sequence of BufWriter writes of any sizes and strings arrives as the same bytes") {
        var iterations = 0
        var bytes = 0L
        checkAll(PropTestConfig(iterations = scaled(200)), writeOps, writerSizes, Arb.boolean()) { ops, size, flushEach ->
            val want = ByteArrayOutputStream()
            for (op in ops) {
                when (op) {
                    is WriteOp.Bytes -> want.write(op.bytes)
                    is WriteOp.OneByte -> want.write(op.b)
                    is WriteOp.Text -> want.write(op.s.toByteArray(Charsets.UTF_8))
                    WriteOp.Flush -> {}
                }
            }
            val got = net {
                val (a, b) = connPair()
                val reader = async {
                    val all = ByteArrayOutputStream()
                    val dst = ByteBuffer.allocate(64)
                    while (true) {
                        dst.clear()
                        if (b.read(dst) < 0) break
                        all.write(dst.array(), 0, dst.position())
                    }
                    all.toByteArray()
                }
                val w = BufWriter(a, size)
                for (op in ops) {
                    when (op) {
                        is WriteOp.Bytes -> {
                            val src = if (op.direct) ByteBuffer.allocateDirect(op.bytes.size).put(op.bytes).flip() else ByteBuffer.wrap(op.bytes)
                            w.write(src)
                            src.hasRemaining() shouldBe false
                        }
                        is WriteOp.OneByte -> w.writeByte(op.b)
                        is WriteOp.Text -> w.writeString(op.s)
                        WriteOp.Flush -> w.flush()
                    }
                    (w.buffered <= size) shouldBe true
                    if (flushEach) {
                        w.flush()
                        w.buffered shouldBe 0
                    }
                }
                w.flush()
                a.closeWrite()
                reader.await().also {
                    a.close()
                    b.close()
                }
            }
            got shouldBe want.toByteArray()
            iterations++
            bytes += got.size
        }
        println("BufWriter property: $iterations write sequences, $bytes bytes verified through 16-48 and 300-1200-byte buffers")
    }
})
