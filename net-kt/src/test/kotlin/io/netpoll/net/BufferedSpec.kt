package io.netpoll.net

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeSameInstanceAs
import kotlinx.coroutines.async
import java.io.EOFException
import java.nio.BufferOverflowException
import java.nio.ByteBuffer

class BufferedSpec : FunSpec({
    test("readLine splits on \\n and \\r\\n, returns a last unterminated line, then null") {
        net {
            val (ln, c, s) = tcpPair()
            s.write(bytes("alpha\r\nbeta\n\ngamma"))
            s.closeWrite()
            val r = BufReader(c, 16)
            r.readLine() shouldBe "alpha"
            r.readLine() shouldBe "beta"
            r.readLine() shouldBe ""
            r.readLine() shouldBe "gamma"
            r.readLine() shouldBe null
            r.readLine() shouldBe null
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("readSlice returns delimited frames as one reused view; frames split across reads are joined") {
        net {
            val (ln, c, s) = tcpPair()
            val r = BufReader(c, 32)
            val writer = async {
                for (part in listOf("one;tw", "o;thr", "ee;")) {
                    s.write(bytes(part))
                    kotlinx.coroutines.delay(20)
                }
                s.closeWrite()
            }
            val first = r.readSlice(';'.code.toByte())!!
            first.remainingText() shouldBe "one;"
            val second = r.readSlice(';'.code.toByte())!!
            second shouldBeSameInstanceAs first
            second.remainingText() shouldBe "two;"
            r.readSlice(';'.code.toByte())!!.remainingText() shouldBe "three;"
            r.readSlice(';'.code.toByte()) shouldBe null
            writer.await()
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("readSlice: a frame longer than the buffer is BufferOverflowException; a cut frame is EOFException") {
        net {
            val (ln, c, s) = tcpPair()
            s.write(bytes("x".repeat(40)))
            val r = BufReader(c, 32)
            shouldThrow<BufferOverflowException> { r.readSlice('\n'.code.toByte()) }
            r.readExactly(32).remaining() shouldBe 32
            s.closeWrite()
            shouldThrow<EOFException> { r.readSlice('\n'.code.toByte()) }
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("readExactly and readFully deliver exactly N bytes; EOFException when the stream is short") {
        net {
            val (ln, c, s) = tcpPair()
            val payload = ByteArray(1000) { it.toByte() }
            s.write(ByteBuffer.wrap(payload))
            s.closeWrite()
            val r = BufReader(c, 64)
            val head = r.readExactly(10)
            head.remaining() shouldBe 10
            head.get(head.position() + 9) shouldBe 9.toByte()
            r.readByte() shouldBe 10
            val rest = ByteBuffer.allocate(989)
            r.readFully(rest)
            rest.get(0) shouldBe 11.toByte()
            rest.get(988) shouldBe payload[999]
            shouldThrow<EOFException> { r.readExactly(1) }
            r.readByte() shouldBe -1
            shouldThrow<IllegalArgumentException> { r.readExactly(65) }
            shouldThrow<IllegalArgumentException> { BufReader(c, 8) }
            shouldThrow<IllegalArgumentException> { BufWriter(c, 8) }
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("BufWriter sends nothing until flush, then everything in order; large writes pass through") {
        net {
            val (ln, c, s) = tcpPair()
            val w = BufWriter(c, 64)
            w.writeString("head:")
            w.writeByte('!'.code)
            w.buffered shouldBe 6
            s.setReadDeadline(java.time.Instant.now().plusMillis(100))
            shouldThrow<io.netpoll.DeadlineExceededException> { s.read(ByteBuffer.allocate(1)) }
            s.setReadDeadline(null)
            w.flush()
            w.buffered shouldBe 0
            val big = ByteBuffer.wrap(ByteArray(10_000) { (it % 251).toByte() })
            w.write(big)
            w.writeString("end")
            w.flush()
            val r = BufReader(s, 256)
            r.readExactly(6).remainingText() shouldBe "head:!"
            val got = ByteBuffer.allocate(10_000)
            r.readFully(got)
            got.array().withIndex().all { (i, b) -> b == (i % 251).toByte() } shouldBe true
            r.readExactly(3).remainingText() shouldBe "end"
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("a flush that fails on its write deadline keeps the unsent bytes buffered, and the next flush sends them first") {
        net {
            val (ln, c, s) = tcpPair()
            val queued = fillUntilBlocked(c)
            // More than the full socket could still take, less than the writer's buffer: it stays buffered until flush.
            val message = ByteArray(192 * 1024) { (it % 251).toByte() }
            val w = BufWriter(c, 256 * 1024)
            w.write(ByteBuffer.wrap(message))
            c.setWriteDeadline(java.time.Instant.now().plusMillis(100))
            shouldThrow<io.netpoll.DeadlineExceededException> { w.flush() }
            c.setWriteDeadline(null)
            val drain = async {
                val all = java.io.ByteArrayOutputStream()
                val b = ByteBuffer.allocate(1 shl 16)
                while (s.read(b.clear()) > 0) all.write(b.array(), 0, b.position())
                all.toByteArray()
            }
            w.flush()
            w.buffered shouldBe 0
            c.closeWrite()
            val got = drain.await()
            got.size.toLong() shouldBe queued + message.size
            got.copyOfRange(got.size - message.size, got.size).contentEquals(message) shouldBe true
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("writeString encodes UTF-8 into the buffer exactly as String.toByteArray, across buffer and chunk boundaries") {
        net {
            val (ln, c, s) = tcpPair()
            val pair = "\uD83D\uDE00" // one emoji: a surrogate pair, 4 bytes
            val strings = listOf(
                "",
                "ascii",
                "héllo wörld ✓ " + pair,
                "x".repeat(255) + pair + "y",         // the pair straddles the 256-char staging chunk
                "ünïcödé ".repeat(100) + pair.repeat(70),
                "lone \uD800 high, lone \uDC00 low, " + "z".repeat(254) + "\uD83D", // ends on a lone high surrogate
            )
            // A 16-byte buffer fills inside most strings; a 4 KiB one lets one call encode several
            // 256-char staging chunks, so the split pair meets a chunk boundary.
            val sizes = listOf(16, 4096)
            val expected = strings.joinToString("").toByteArray(Charsets.UTF_8).let { one -> sizes.fold(ByteArray(0)) { a, _ -> a + one } }
            val reader = async {
                val got = ByteBuffer.allocate(expected.size + 64)
                while (got.hasRemaining() && s.read(got) >= 0) {
                    // until end of stream
                }
                got.flip()
                ByteArray(got.remaining()).also { got.get(it) }
            }
            for (size in sizes) {
                val w = BufWriter(c, size)
                for (str in strings) {
                    w.writeString(str)
                }
                w.flush()
            }
            c.closeWrite()
            reader.await().contentEquals(expected) shouldBe true
            listOf(ln, c, s).forEach { it.close() }
        }
    }
})
