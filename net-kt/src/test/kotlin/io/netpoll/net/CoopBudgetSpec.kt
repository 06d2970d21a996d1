package io.netpoll.net

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.ints.shouldBeInRange
import io.kotest.matchers.shouldBe
import io.netpoll.dispatcher.NetpollDispatcher
import io.netpoll.net.internal.CoopBudget
import java.nio.ByteBuffer
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Job
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking

/**
 * The cooperative budget ([CoopBudget]): a coroutine whose socket calls never wait still lets the
 * other coroutines on its thread run, every [CoopBudget.BUDGET] calls, and yields before its next
 * call's I/O, so a cancellation that arrives while it yields takes no bytes from the stream.
 */
class CoopBudgetSpec : FunSpec({
    val queued = 16 * 1024 // fits the loopback socket buffers: every 1-byte read finds data

    test("reads and writes that never wait let a coroutine queued on the same P run within BUDGET calls") {
        NetpollDispatcher(parallelism = 1, name = "coop").use { d ->
            runBlocking(d) {
                val (ln, c, s) = tcpPair()
                s.write(ByteBuffer.allocateDirect(queued))
                val one = ByteBuffer.allocateDirect(1)
                var reads = 0
                var ranAfterReads = -1
                coroutineScope {
                    launch { ranAfterReads = reads } // runnext of the only P: runs when the reader lets it
                    while (reads < queued) {
                        c.read(one.clear())
                        reads++
                    }
                }
                var writes = 0
                var ranAfterWrites = -1
                coroutineScope {
                    launch { ranAfterWrites = writes }
                    while (writes < queued) {
                        c.write(one.clear())
                        writes++
                    }
                }
                println("CoopBudgetSpec: a queued coroutine ran after $ranAfterReads of $queued reads and $ranAfterWrites of $queued writes")
                ranAfterReads shouldBeInRange 1..CoopBudget.BUDGET
                ranAfterWrites shouldBeInRange 1..CoopBudget.BUDGET
                listOf(ln, c, s).forEach { it.close() }
            }
        }
    }

    test("a reader cancelled while it yields its turn gets CancellationException and the stream loses no byte") {
        NetpollDispatcher(parallelism = 1, name = "coop-cancel").use { d ->
            runBlocking(d) {
                val (ln, c, s) = tcpPair()
                s.write(ByteBuffer.allocateDirect(queued).apply { for (i in 0 until queued) put(i, i.toByte()) })
                val one = ByteBuffer.allocateDirect(1)
                var reads = 0
                lateinit var reader: Job
                reader = launch {
                    launch { reader.cancel() } // runs only when the reader yields
                    while (reads < queued) {
                        c.read(one.clear())
                        one.get(0) shouldBe reads.toByte()
                        reads++
                    }
                }
                reader.join()
                reader.isCancelled shouldBe true
                reads shouldBeInRange 1..CoopBudget.BUDGET
                val rest = ByteBuffer.allocateDirect(queued - reads)
                c.readFully(rest)
                for (i in 0 until rest.capacity()) rest.get(i) shouldBe (reads + i).toByte()
                c.tryRead(ByteBuffer.allocate(1)) shouldBe 0
                println("CoopBudgetSpec: cancelled after $reads reads; the next ${rest.capacity()} bytes read in order")
                listOf(ln, c, s).forEach { it.close() }
            }
        }
    }
})
