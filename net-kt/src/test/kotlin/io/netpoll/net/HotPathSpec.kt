package io.netpoll.net

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.comparables.shouldBeLessThan
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.runBlocking
import java.lang.management.ManagementFactory
import java.nio.ByteBuffer

/**
 * Reads that find data and writes that find buffer space complete without suspending, and the
 * only allocation left is the boxed Int result that Kotlin's suspend calling convention creates
 * (`kotlin.coroutines.jvm.internal.boxInt` is `new Integer`, 16 bytes; C2 removes it when the call
 * is inlined into the caller). No coroutine frame, no lock node, no waiter, no address lookup.
 * Measured with the thread's allocation counter over many calls on one thread: anything beyond
 * the box (a frame alone is ≥ 32 bytes) breaks the bound.
 */
class HotPathSpec : FunSpec({
    test("non-suspending reads and writes allocate nothing per call beyond Kotlin's Int box") {
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
            println("HotPathSpec: $calls reads + $calls writes of 64 B allocated $allocated bytes in total (Int boxes: ${16L * 2 * calls})")
            val boxes = 16L * 2 * calls
            allocated shouldBeLessThan boxes + 4_096
            listOf(ln, c, s).forEach { it.close() }
        }
    }
})
