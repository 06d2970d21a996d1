package io.netpoll.benchmarks

import io.netpoll.dispatcher.NetpollDispatcher
import io.netpoll.net.Conn
import io.netpoll.net.Net
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import java.io.Closeable
import java.io.IOException
import java.net.InetSocketAddress
import java.nio.ByteBuffer

/**
 * 64-byte round trips over a loopback TCP pair for SuspendedRoundTripBenchmark, where every read
 * waits for its data: the pinger writes and reads at once, before the ponger has answered, and
 * the ponger reads before the next ping is sent. So each round trip is two parks and two wakes
 * through the poller.
 *
 * - [coroutines]: both ends are coroutines on a one-P [NetpollDispatcher]; [exchange] runs its
 *   round trips inside one `runBlocking` on that dispatcher, so its own cost spreads over them.
 * - otherwise both ends are threads in the blocking calls (`readFullyBlocking`, `writeBlocking`):
 *   the caller of [exchange] pings, a daemon thread pongs.
 */
class SuspendedRoundTrips(private val coroutines: Boolean, size: Int) : Closeable {
    private val dispatcher = NetpollDispatcher(1, "bench", 0L, System.err)
    private val scope = CoroutineScope(dispatcher + SupervisorJob())
    private val ping: Conn
    private val pong: Conn
    private val out = ByteBuffer.allocateDirect(size)
    private val back = ByteBuffer.allocateDirect(size)

    init {
        val ln = Net.listen("tcp", "127.0.0.1:0")
        val port = (ln.localAddress as InetSocketAddress).port
        val (c, s) = runBlocking(dispatcher) {
            val accepted = async { ln.accept() }
            Net.dial("tcp", "127.0.0.1:$port") to accepted.await()
        }
        ln.close()
        ping = c
        pong = s
        if (coroutines) {
            scope.launch { pongLoop(size) }
        } else {
            val t = Thread({ blockingPongLoop(size) }, "bench-pong")
            t.isDaemon = true
            t.start()
        }
    }

    private suspend fun pongLoop(size: Int) {
        val b = ByteBuffer.allocateDirect(size)
        try {
            while (true) {
                pong.readFully(b.clear())
                pong.write(b.flip())
            }
        } catch (e: IOException) {
            // closed at teardown
        }
    }

    private fun blockingPongLoop(size: Int) {
        val b = ByteBuffer.allocateDirect(size)
        try {
            while (true) {
                pong.readFullyBlocking(b.clear())
                pong.writeBlocking(b.flip())
            }
        } catch (e: IOException) {
            // closed at teardown
        }
    }

    /** [count] round trips; returns the last reply's first byte. */
    fun exchange(count: Int): Int {
        if (coroutines) {
            return runBlocking(dispatcher) {
                repeat(count) {
                    ping.write(out.clear())
                    ping.readFully(back.clear())
                }
                back.get(0).toInt()
            }
        }
        repeat(count) {
            ping.writeBlocking(out.clear())
            ping.readFullyBlocking(back.clear())
        }
        return back.get(0).toInt()
    }

    override fun close() {
        ping.close()
        pong.close()
        scope.cancel()
        dispatcher.close()
    }
}
