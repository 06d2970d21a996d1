package io.netpoll.benchmarks

import io.netpoll.net.Conn
import io.netpoll.net.Net
import kotlinx.coroutines.runBlocking
import java.io.Closeable
import java.net.InetSocketAddress
import java.nio.ByteBuffer

/**
 * ConnRoundTripBenchmark's workload: [size]-byte writes on one end of a loopback TCP connection
 * and reads of them on the other, by one coroutine, so every call finds its data or buffer space
 * and completes without suspending: the cost of [Conn.read] / [Conn.write]'s own path.
 */
class ConnRoundTrips(private val size: Int) : Closeable {
    private val listener = Net.listen("tcp", "127.0.0.1:0")
    private val a: Conn
    private val b: Conn
    private val out = ByteBuffer.allocateDirect(size)
    private val back = ByteBuffer.allocateDirect(size)

    init {
        val port = (listener.localAddress as InetSocketAddress).port
        a = Net.dialBlocking("tcp", "127.0.0.1:$port")
        b = listener.acceptBlocking()
    }

    /** [rounds] write + read pairs; returns the bytes read. */
    fun run(rounds: Int): Long = runBlocking {
        var read = 0L
        for (i in 0 until rounds) {
            a.write(out.clear())
            back.clear()
            while (back.hasRemaining()) {
                read += b.read(back)
            }
        }
        read
    }

    override fun close() {
        a.close()
        b.close()
        listener.close()
    }
}
