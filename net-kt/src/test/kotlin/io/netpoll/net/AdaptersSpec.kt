package io.netpoll.net

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.netpoll.DeadlineExceededException
import io.netpoll.net.io.asRawSink
import io.netpoll.net.io.asRawSource
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.withContext
import kotlinx.io.Buffer
import kotlinx.io.buffered
import kotlinx.io.readByteArray
import java.io.EOFException
import java.nio.ByteBuffer
import kotlin.random.Random
import kotlin.time.Duration.Companion.milliseconds

/** The Kotlin adapters over real loopback connections: BufReader flows and kotlinx-io sources and sinks. */
class AdaptersSpec : FunSpec({
    test("lines() emits each line as it arrives and completes at end of stream") {
        net {
            val (ln, c, s) = tcpPair()
            val reader = BufReader(s)
            val first = async { reader.lines().take(2).toList() }
            c.write(bytes("a\r\nb"))
            c.write(bytes("\nc\n"))
            first.await() shouldBe listOf("a", "b")
            // take() cancelled the collection between lines: the rest stays in the reader.
            c.write(bytes("last without newline"))
            c.closeWrite()
            reader.lines().toList() shouldBe listOf("c", "last without newline")
            reader.lines().toList() shouldBe emptyList()
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("lines() ends with the read deadline's exception when no line comes") {
        net {
            val (ln, c, s) = tcpPair()
            s.setReadDeadline(50.milliseconds)
            shouldThrow<DeadlineExceededException> { BufReader(s).lines().toList() }
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("frames() copies each frame out of the reader and fails on a stream that ends inside one") {
        net {
            val (ln, c, s) = tcpPair()
            c.write(bytes("x;yz;;tail"))
            c.closeWrite()
            val frames = mutableListOf<String>()
            shouldThrow<EOFException> { BufReader(s, 16).frames(';'.code.toByte()).collect { frames += it.decodeToString() } }
            frames shouldBe listOf("x", "yz", "")
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("asRawSource and asRawSink carry a megabyte each way and see end of stream") {
        net {
            val (ln, c, s) = tcpPair()
            val data = Random(14).nextBytes(1 shl 20)
            withContext(Dispatchers.IO) {
                val echo = async {
                    // The server echoes through kotlinx-io too: source to sink until end of stream.
                    val from = s.asRawSource()
                    val to = s.asRawSink()
                    val buf = Buffer()
                    while (from.readAtMostTo(buf, 100_000) >= 0) {
                        to.write(buf, buf.size)
                    }
                    s.closeWrite()
                }
                val sink = c.asRawSink().buffered()
                val source = c.asRawSource().buffered()
                val sent = async { sink.write(data); sink.flush(); c.closeWrite() }
                source.readByteArray() shouldBe data
                sent.await()
                echo.await()
            }
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("closing a kotlinx-io source closes the connection; a later read fails as a read after close does") {
        net {
            val (ln, c, s) = tcpPair()
            c.asRawSource().close()
            c.isOpen shouldBe false
            shouldThrow<java.nio.channels.ClosedChannelException> { c.asRawSource().readAtMostTo(Buffer(), 1) }
            shouldThrow<java.nio.channels.ClosedChannelException> { c.read(ByteBuffer.allocate(1)) }
            listOf(ln, s).forEach { it.close() }
        }
    }
})
