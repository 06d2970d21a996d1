package io.netpoll.net

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.comparables.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeSameInstanceAs
import java.lang.management.ManagementFactory
import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.util.Collections
import java.util.IdentityHashMap
import java.util.concurrent.CyclicBarrier
import java.util.concurrent.atomic.AtomicLong
import kotlin.concurrent.thread

/** [BufferPool]: reuse, the bound, buffers that come back on other threads, misuse, cost. */
class BufferPoolSpec : FunSpec({
    test("get hands out a cleared, big-endian direct buffer of the pool's size, allocating only when empty") {
        val pool = BufferPool(1024, 4)
        val b = pool.get()
        b.isDirect shouldBe true
        b.capacity() shouldBe 1024
        b.position() shouldBe 0
        b.limit() shouldBe 1024
        pool.allocated shouldBe 1L
        b.putInt(7).limit(100).order(ByteOrder.LITTLE_ENDIAN)
        pool.put(b)
        val again = pool.get()
        again shouldBeSameInstanceAs b
        again.position() shouldBe 0
        again.limit() shouldBe 1024
        again.order() shouldBe ByteOrder.BIG_ENDIAN
        pool.allocated shouldBe 1L
    }

    test("the pool keeps at most capacity idle buffers and drops the rest") {
        val pool = BufferPool(64, 8)
        val out = List(13) { pool.get() }
        pool.allocated shouldBe 13L
        out.forEach { pool.put(it) }
        pool.available() shouldBe 8
        pool.dropped shouldBe 5L
        val back = List(8) { pool.get() }
        pool.allocated shouldBe 13L
        Collections.newSetFromMap(IdentityHashMap<ByteBuffer, Boolean>()).apply { addAll(back) }.size shouldBe 8
        pool.available() shouldBe 0
        pool.get()
        pool.allocated shouldBe 14L
        println("BufferPoolSpec: $pool")
    }

    test("buffers put back on other threads are reused by any thread; lanes do not hide them") {
        val pool = BufferPool(256, 64)
        val taken = arrayOfNulls<ByteBuffer>(40)
        thread { for (i in taken.indices) taken[i] = pool.get() }.join()
        thread { taken.forEach { pool.put(it!!) } }.join()
        pool.available() shouldBe 40
        val reused = arrayOfNulls<ByteBuffer>(40)
        thread { for (i in reused.indices) reused[i] = pool.get() }.join()
        pool.allocated shouldBe 40L
        Collections.newSetFromMap(IdentityHashMap<ByteBuffer, Boolean>()).apply { addAll(reused.map { it!! }) } shouldBe
            Collections.newSetFromMap(IdentityHashMap<ByteBuffer, Boolean>()).apply { addAll(taken.map { it!! }) }
    }

    test("concurrent get and put never hand one buffer to two holders, and stay within the bound") {
        val pool = BufferPool(64, 32)
        val threads = 4
        val rounds = 50_000
        val holders = Collections.synchronizedMap(IdentityHashMap<ByteBuffer, Int>())
        val clashes = AtomicLong()
        val start = CyclicBarrier(threads)
        val workers = List(threads) { t ->
            thread {
                start.await()
                val mine = ArrayList<ByteBuffer>()
                for (r in 0 until rounds) {
                    // Hold 0..3 buffers, so gets and puts interleave across threads unevenly.
                    if (mine.size < 3 && (r + t) % 3 != 0) {
                        val b = pool.get()
                        if (holders.put(b, t) != null) clashes.incrementAndGet()
                        b.putInt(0, t)
                        mine.add(b)
                    } else if (mine.isNotEmpty()) {
                        val b = mine.removeAt(mine.size - 1)
                        if (b.getInt(0) != t) clashes.incrementAndGet()
                        holders.remove(b)
                        pool.put(b)
                    }
                }
                mine.forEach { holders.remove(it); pool.put(it) }
            }
        }
        workers.forEach { it.join() }
        clashes.get() shouldBe 0L
        (pool.available() <= 32) shouldBe true
        println("BufferPoolSpec: $threads threads x $rounds get/put rounds, ${pool.allocated} buffers allocated, ${pool.dropped} dropped, ${pool.available()} idle")
    }

    test("put refuses what the pool did not make: heap, read-only or wrongly sized buffers (IllegalArgumentException)") {
        val pool = BufferPool(128, 2)
        shouldThrow<IllegalArgumentException> { pool.put(ByteBuffer.allocate(128)) }
        shouldThrow<IllegalArgumentException> { pool.put(ByteBuffer.allocateDirect(64)) }
        shouldThrow<IllegalArgumentException> { pool.put(ByteBuffer.allocateDirect(128).asReadOnlyBuffer()) }
        pool.available() shouldBe 0
    }

    test("a pool needs a positive buffer size and capacity (IllegalArgumentException)") {
        shouldThrow<IllegalArgumentException> { BufferPool(0, 4) }
        shouldThrow<IllegalArgumentException> { BufferPool(16, 0) }
        shouldThrow<IllegalArgumentException> { BufferPool(-1) }
    }

    test("get and put of pooled buffers allocate nothing per call") {
        val mx = ManagementFactory.getThreadMXBean() as com.sun.management.ThreadMXBean
        val pool = BufferPool(4096)
        val calls = 20_000
        repeat(1_000) { pool.put(pool.get()) }
        val self = Thread.currentThread().id
        val before = mx.getThreadAllocatedBytes(self)
        for (i in 0 until calls) {
            val a = pool.get()
            val b = pool.get()
            pool.put(a)
            pool.put(b)
        }
        val allocated = mx.getThreadAllocatedBytes(self) - before
        println("BufferPoolSpec: ${2 * calls} get/put pairs allocated $allocated bytes in total")
        allocated shouldBeLessThan 16L * calls
        pool.allocated shouldBe 2L
    }
})
