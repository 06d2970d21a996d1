package io.netpoll.net

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.comparables.shouldBeLessThan
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.runBlocking
import java.lang.management.ManagementFactory
import java.nio.ByteBuffer
import kotlin.time.Duration.Companion.seconds

/**
 * Reads that find data and writes that find buffer space complete without suspending and allocate
 * nothing: no coroutine frame, no lock node, no waiter, no address lookup, and no Int box either
 * ([Conn.read] inlines a plain-function fast path, so no suspend-convention `new Integer`).
 * The same holds for [Conn.awaitReadable] when data is queued, for [Conn.tryRead], and for
 * [BufWriter.writeString] of a string the buffer has room for (encoded in place, no byte array).
 * Measured with the thread's allocation counter over many calls on one thread: a single 16-byte
 * object per call (the Int box, the smallest thing that could creep back) breaks the bound.
 */
class HotPathSpec : FunSpec({
    test("non-suspending reads and writes allocate nothing per call") {
        val mx = ManagementFactory.getThreadMXBean() as com.sun.management.ThreadMXBean
        val calls = 2_000
        runBlocking {
            val (ln, c, s) = tcpPair()
            val src = ByteBuffer.allocateDirect(64)
            val dst = ByteBuffer.allocateDirect(64)
            // Queue all the data the reads will take, and warm both paths up.
            s.write(ByteBuffer.allocateDirect(64 * (calls + 100)))
            repeat(100) {
                c.read(dst.clear())
                c.write(src.clear())
            }
            val self = Thread.currentThread().id
            val before = mx.getThreadAllocatedBytes(self)
            var read = 0L
            var written = 0L
            for (i in 0 until calls) {
                dst.clear()
                while (dst.hasRemaining()) read += c.read(dst)
                written += c.write(src.clear())
            }
            val allocated = mx.getThreadAllocatedBytes(self) - before
            read shouldBe 64L * calls
            written shouldBe 64L * calls
            println("HotPathSpec: $calls reads + $calls writes of 64 B allocated $allocated bytes in total")
            allocated shouldBeLessThan 16L * calls
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("awaitReadable that finds data queued and tryRead allocate nothing per call") {
        val mx = ManagementFactory.getThreadMXBean() as com.sun.management.ThreadMXBean
        val calls = 2_000
        runBlocking {
            val (ln, c, s) = tcpPair()
            val dst = ByteBuffer.allocateDirect(64)
            s.write(ByteBuffer.allocateDirect(64 * (calls + 100)))
            repeat(100) {
                c.awaitReadable()
                c.tryRead(dst.clear())
            }
            val self = Thread.currentThread().id
            val before = mx.getThreadAllocatedBytes(self)
            var read = 0L
            for (i in 0 until calls) {
                dst.clear()
                while (dst.hasRemaining()) {
                    c.awaitReadable()
                    read += c.tryRead(dst)
                }
            }
            val allocated = mx.getThreadAllocatedBytes(self) - before
            read shouldBe 64L * calls
            println("HotPathSpec: $calls awaitReadable + tryRead pairs allocated $allocated bytes in total")
            allocated shouldBeLessThan 16L * calls
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("BufWriter.writeString of a string that fits the buffer allocates nothing per call") {
        val mx = ManagementFactory.getThreadMXBean() as com.sun.management.ThreadMXBean
        val calls = 2_000
        val line = "héllo ✓\n" // 1-, 2- and 3-byte characters
        val bytes = line.toByteArray(Charsets.UTF_8).size
        runBlocking {
            val (ln, c, s) = tcpPair()
            val w = BufWriter(c, bytes * (calls + 101)) // room to spare: no flush
            repeat(100) { w.writeString(line) }
            val self = Thread.currentThread().id
            val before = mx.getThreadAllocatedBytes(self)
            for (i in 0 until calls) {
                w.writeString(line)
            }
            val allocated = mx.getThreadAllocatedBytes(self) - before
            w.buffered shouldBe bytes * (calls + 100)
            println("HotPathSpec: $calls BufWriter.writeString calls of $bytes B allocated $allocated bytes in total")
            allocated shouldBeLessThan 16L * calls
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("setting deadlines in the Duration and nanoTime forms allocates nothing per call") {
        val mx = ManagementFactory.getThreadMXBean() as com.sun.management.ThreadMXBean
        val calls = 2_000
        runBlocking {
            val (ln, c, s) = tcpPair()
            val timeout = 5.seconds
            repeat(100) {
                c.setReadDeadline(timeout)
                c.setWriteDeadlineNanos(System.nanoTime() + 5_000_000_000L)
                c.setDeadline(timeout)
            }
            val self = Thread.currentThread().id
            val before = mx.getThreadAllocatedBytes(self)
            for (i in 0 until calls) {
                c.setReadDeadline(timeout)
                c.setWriteDeadline(timeout)
                c.setDeadlineNanos(System.nanoTime() + 5_000_000_000L)
            }
            val allocated = mx.getThreadAllocatedBytes(self) - before
            println("HotPathSpec: $calls x 3 deadline moves allocated $allocated bytes in total")
            allocated shouldBeLessThan 16L * calls
            listOf(ln, c, s).forEach { it.close() }
        }
    }
})
