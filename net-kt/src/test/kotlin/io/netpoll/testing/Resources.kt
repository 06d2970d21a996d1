package io.netpoll.testing

import io.netpoll.poller.Netpoll
import kotlinx.coroutines.delay
import java.io.File

/**
 * What a faulted connection must give back: the process's open descriptors (/proc/self/fd), the
 * descriptors registered with the Netpoll, and a server's connection count.
 */
data class Resources(val fds: Int, val netpoll: Int, val serverConns: Int) {
    override fun toString() = "fds=$fds netpoll=$netpoll server_conns=$serverConns"

    companion object {
        fun now(serverConns: () -> Int): Resources =
            Resources(File("/proc/self/fd").list()!!.size, Netpoll.get().stats().descriptors(), serverConns())

        /**
         * Waits up to [millis] for every count to be back at (or below) [baseline]; the counts then.
         * Closing is asynchronous on both sides of a proxy, hence the settle time.
         */
        suspend fun settle(baseline: Resources, serverConns: () -> Int, millis: Long = 5_000): Resources {
            val until = System.nanoTime() + millis * 1_000_000
            while (true) {
                val r = now(serverConns)
                val back = r.fds <= baseline.fds && r.netpoll <= baseline.netpoll && r.serverConns <= baseline.serverConns
                if (back || System.nanoTime() - until > 0) return r
                delay(10)
            }
        }
    }
}
