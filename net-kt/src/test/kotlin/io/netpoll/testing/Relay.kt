package io.netpoll.testing

import io.netpoll.net.Conn
import io.netpoll.net.Listener
import io.netpoll.net.Net
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import java.io.IOException
import java.net.InetSocketAddress
import java.nio.ByteBuffer
import java.util.concurrent.atomic.AtomicLong

/**
 * A TCP relay on 127.0.0.1 between a client and [target] that can hold bytes back: each direction
 * forwards at most [Direction.limit] bytes in all until the test raises it, so a test can leave a
 * TLS record half delivered, then let the rest through (or end the connection inside it with
 * [Direction.endAfterLimit]). One connection; [close] ends it.
 */
class Relay(scope: CoroutineScope, target: Int) : AutoCloseable {
    class Direction {
        val limit = AtomicLong(Long.MAX_VALUE)
        val forwarded = AtomicLong()

        /** Once the limit is reached: close this direction's far side instead of waiting. */
        @Volatile
        var endAfterLimit = false

        /** Lets [n] more bytes through from now on (what has been forwarded + n) and holds the rest. */
        fun holdAfter(n: Long) = limit.set(forwarded.get() + n)

        fun release() = limit.set(Long.MAX_VALUE)

        /** Waits until the limit is reached (the held-back bytes are then all the relay has). */
        suspend fun awaitLimit() {
            while (forwarded.get() < limit.get()) delay(1)
        }
    }

    private val listener: Listener = Net.listen("tcp", "127.0.0.1:0")
    val port: Int = (listener.localAddress as InetSocketAddress).port

    /** Client → target. */
    val up = Direction()

    /** Target → client. */
    val down = Direction()

    private val job: Job = scope.launch {
        listener.accept().use { front ->
            Net.dial("tcp", "127.0.0.1:$target").use { back ->
                val downJob = launch { pump(back, front, down) }
                pump(front, back, up)
                downJob.join()
            }
        }
    }

    private suspend fun pump(from: Conn, to: Conn, d: Direction) {
        val buf = ByteBuffer.allocate(64 * 1024)
        try {
            while (true) {
                buf.clear()
                if (from.read(buf) < 0) break
                buf.flip()
                while (buf.hasRemaining()) {
                    val allowed = d.limit.get() - d.forwarded.get()
                    if (allowed <= 0) {
                        if (d.endAfterLimit) {
                            to.close()
                            from.close()
                            return
                        }
                        delay(1)
                        continue
                    }
                    val slice = buf.duplicate()
                    slice.limit(buf.position() + minOf(allowed, buf.remaining().toLong()).toInt())
                    val n = slice.remaining()
                    to.write(slice)
                    buf.position(buf.position() + n)
                    d.forwarded.addAndGet(n.toLong())
                }
            }
            to.closeWrite()
        } catch (_: IOException) {
            // one side went away: the relay is done
        }
    }

    override fun close() {
        listener.close()
        job.cancel()
    }

    /** Waits for the relayed connection to end. */
    suspend fun join() {
        listener.close()
        job.join()
    }
}
