package io.netpoll.net

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.runInterruptible
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeout
import java.nio.ByteBuffer
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import kotlin.coroutines.CoroutineContext

/**
 * Coroutine cancellation while blocked (no Go equivalent): the call ends with
 * CancellationException, its waiter leaves the PollDesc slot or lock queue, and the connection
 * serves the next call.
 */
class CancellationSpec : FunSpec({
    test("cancelling a suspended read ends it with CancellationException and the next read works") {
        net {
            val (ln, c, s) = tcpPair()
            val before = parkedWaiters()
            val r = async { c.read(ByteBuffer.allocate(4)) }
            delay(100)
            parkedWaiters() shouldBe before + 1
            r.cancel()
            r.join()
            r.isCancelled shouldBe true
            shouldThrow<CancellationException> { r.await() }
            parkedWaiters() shouldBe before
            s.write(bytes("next"))
            val b = ByteBuffer.allocate(4)
            c.readFully(b)
            b.text() shouldBe "next"
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("withTimeout around a read cancels it and leaves the connection usable, many times over") {
        net {
            val (ln, c, s) = tcpPair()
            val before = parkedWaiters()
            repeat(50) { i ->
                shouldThrow<TimeoutCancellationException> { withTimeout(5) { c.read(ByteBuffer.allocate(1)) } }
                if (i % 10 == 0) {
                    s.write(bytes("$i".take(1)))
                    c.read(ByteBuffer.allocate(1)) shouldBe 1
                }
            }
            parkedWaiters() shouldBe before
            s.write(bytes("end"))
            val b = ByteBuffer.allocate(3)
            c.readFully(b)
            b.text() shouldBe "end"
            println("CancellationSpec: 50 reads cancelled by withTimeout(5 ms), connection still reads")
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("cancellation racing with data arrival never loses or duplicates bytes") {
        net {
            val (ln, c, s) = tcpPair()
            var received = 0
            var cancelled = 0
            val total = 300
            val writer = launch {
                repeat(total) {
                    s.write(ByteBuffer.wrap(byteArrayOf((it % 127).toByte())))
                    if (it % 7 == 0) delay(1)
                }
            }
            val b = ByteBuffer.allocate(1)
            while (received < total) {
                try {
                    withTimeout(1) {
                        b.clear()
                        c.readFully(b)
                    }
                    b.get(0).toInt() shouldBe received % 127
                    received++
                } catch (e: TimeoutCancellationException) {
                    // readFully of one byte either completed (position 1) or read nothing.
                    if (b.position() == 1) {
                        b.get(0).toInt() shouldBe received % 127
                        received++
                    }
                    cancelled++
                }
            }
            writer.join()
            println("CancellationSpec: $received bytes in order across $cancelled cancelled reads")
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("a read cancelled after its wake was dispatched, before it ran, takes nothing") {
        net {
            val (ln, c, s) = tcpPair()
            val held = LinkedBlockingQueue<Runnable>()
            val manual = object : CoroutineDispatcher() {
                override fun dispatch(context: CoroutineContext, block: Runnable) {
                    held.add(block)
                }
            }
            val abandoned = ByteBuffer.allocate(4)
            val reader = launch(manual, start = CoroutineStart.UNDISPATCHED) { c.read(abandoned) }
            s.write(bytes("next"))
            val resumption = runInterruptible { held.poll(5, TimeUnit.SECONDS) }
            (resumption != null) shouldBe true
            reader.cancel()
            resumption!!.run()
            while (true) {
                (held.poll() ?: break).run()
            }
            reader.join()
            reader.isCancelled shouldBe true
            abandoned.position() shouldBe 0
            val b = ByteBuffer.allocate(4)
            c.readFully(b)
            b.text() shouldBe "next"
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("cancelling a suspended write ends it with CancellationException and the next write works") {
        net {
            val (ln, c, s) = tcpPair()
            val queued = fillUntilBlocked(c)
            val before = parkedWaiters()
            val big = ByteBuffer.allocate(1 shl 20)
            val w = async { c.write(big) }
            delay(100)
            w.cancel()
            w.join()
            w.isCancelled shouldBe true
            parkedWaiters() shouldBe before
            val drained = async {
                val b = ByteBuffer.allocateDirect(1 shl 16)
                var n = 0L
                while (s.read(b.clear()) > 0) n += b.position()
                n
            }
            c.write(bytes("after"))
            c.closeWrite()
            drained.await() shouldBe queued + big.position() + 5
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("cancelling a read queued behind another reader releases its place; the lock is not leaked") {
        net {
            val (ln, c, s) = tcpPair()
            val first = async { val b = ByteBuffer.allocate(1); c.readFully(b); b.get(0) }
            delay(50)
            val second = async { c.read(ByteBuffer.allocate(1)) }
            delay(50)
            second.cancel()
            second.join()
            s.write(ByteBuffer.wrap(byteArrayOf(7)))
            first.await() shouldBe 7.toByte()
            s.write(ByteBuffer.wrap(byteArrayOf(8)))
            val b = ByteBuffer.allocate(1)
            c.readFully(b)
            b.get(0) shouldBe 8.toByte()
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("cancelling a suspended accept ends it and the listener accepts the next connection") {
        net {
            val ln = Net.listen("tcp", "127.0.0.1:0")
            val before = parkedWaiters()
            val a = async { ln.accept() }
            delay(100)
            a.cancel()
            a.join()
            a.isCancelled shouldBe true
            parkedWaiters() shouldBe before
            val next = async { ln.accept() }
            Net.dial("tcp", "127.0.0.1:${ln.port}").use { next.await().close() }
            ln.close()
        }
    }

    test("cancelling a dial ends it with CancellationException and closes the half-made socket") {
        net {
            // A listener with a full accept queue leaves further connects pending.
            val ln = Net.listen("tcp", "127.0.0.1:0", ListenOptions(backlog = 0))
            val queued = mutableListOf<Conn>()
            val descriptorsBefore = openDescriptors()
            var pendingDial: Throwable? = null
            for (i in 0 until 16) {
                val d = async { Net.dial("tcp", "127.0.0.1:${ln.port}") }
                delay(200)
                if (d.isActive) {
                    d.cancel()
                    d.join()
                    pendingDial = runCatching { d.await() }.exceptionOrNull()
                    break
                }
                queued += d.await()
            }
            pendingDial.shouldBeInstanceOf<CancellationException>()
            openDescriptors() shouldBe descriptorsBefore + queued.size
            println("CancellationSpec: dial cancelled after ${queued.size} connections filled the accept queue")
            queued.forEach { it.close() }
            ln.close()
        }
    }

    test("a reader's op is reused by the next coroutine, and cancelling the first one's job no longer touches it") {
        // A connection keeps one op per direction and watches the job of the coroutine using it;
        // a second coroutine takes it over, and the first job's cancellation must not end the
        // second coroutine's wait.
        net {
            val (ln, c, s) = tcpPair()
            val first = launch {
                c.read(ByteBuffer.allocate(4)) shouldBe 4
                delay(Long.MAX_VALUE)
            }
            delay(50)
            s.write(bytes("one!"))
            delay(50)
            val second = async { c.readFully(ByteBuffer.allocate(3).also { it.limit(3) }).let { "read" } }
            delay(50)
            first.cancel()
            first.join()
            delay(50)
            second.isActive shouldBe true
            s.write(bytes("two"))
            second.await() shouldBe "read"
            // And the second job's cancellation still reaches a later wait of its own op.
            val third = async { c.read(ByteBuffer.allocate(1)) }
            delay(50)
            third.cancel()
            shouldThrow<CancellationException> { third.await() }
            s.write(bytes("3"))
            c.read(ByteBuffer.allocate(1)) shouldBe 1
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("a job cancelled before its read has to wait ends that read at once, taking nothing") {
        net {
            val (ln, c, s) = tcpPair()
            // If the read waited regardless, these bytes would end it and it would return them.
            val writer = launch {
                delay(300)
                s.write(bytes("kept"))
            }
            val r = async {
                // Cancelled while running, then asked to suspend: the watch was not there yet.
                coroutineContext[kotlinx.coroutines.Job]!!.cancel()
                c.read(ByteBuffer.allocate(4))
            }
            shouldThrow<CancellationException> { r.await() }
            writer.join()
            val b = ByteBuffer.allocate(4)
            c.readFully(b)
            b.text() shouldBe "kept"
            listOf(ln, c, s).forEach { it.close() }
        }
    }
})
