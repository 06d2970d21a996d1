package io.netpoll.net

import io.kotest.core.spec.style.FunSpec
import io.kotest.core.test.Enabled
import io.kotest.matchers.comparables.shouldBeLessThan
import io.netpoll.dispatcher.NetpollDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import java.io.IOException
import java.lang.management.ManagementFactory
import java.nio.ByteBuffer

/**
 * A read or write that has to wait allocates nothing in steady state: 64-byte round trips between
 * two coroutines on a one-P NetpollDispatcher in which every read suspends before its data
 * arrives (two parks and two wakes through the poller per round trip). Measured with the
 * allocation counters of every thread that takes part (the dispatcher's workers, which also poll,
 * and this one); a wait that allocated its frames and kotlinx's continuation again would cost
 * hundreds of bytes per round trip. SuspendedRoundTripBenchmark measures the same with JMH.
 *
 * It runs in its own JVM with kotlinx's debug mode off (net-kt/pom.xml): under -ea that mode
 * renames the thread on every resumption, which would be measured too.
 */
class SuspendedAllocationSpec : FunSpec({
    test("round trips whose reads all suspend allocate under 16 bytes each").config(enabledOrReasonIf = {
        if (System.getProperty("kotlinx.coroutines.debug") == "off") Enabled.enabled
        else Enabled.disabled("kotlinx debug mode is on; the module's `allocation` execution runs this with it off")
    }) {
        val mx = ManagementFactory.getThreadMXBean() as com.sun.management.ThreadMXBean
        val dispatcher = NetpollDispatcher(1, "alloc-spec", 0L, System.err)
        val scope = CoroutineScope(dispatcher + SupervisorJob())
        try {
            val (ln, ping, pong) = runBlocking(dispatcher) { tcpPair() }
            try {
                scope.launch {
                    val b = ByteBuffer.allocateDirect(64)
                    try {
                        while (true) {
                            pong.readFully(b.clear())
                            pong.write(b.flip())
                        }
                    } catch (e: IOException) {
                        // closed below
                    }
                }
                val out = ByteBuffer.allocateDirect(64)
                val back = ByteBuffer.allocateDirect(64)
                fun trips(n: Int) = runBlocking(dispatcher) {
                    repeat(n) {
                        ping.write(out.clear())
                        ping.readFully(back.clear())
                    }
                }

                trips(20_000)
                val ids = Thread.getAllStackTraces().keys
                    .filter { it.name.startsWith("alloc-spec") || it === Thread.currentThread() }
                    .map { it.id }.toLongArray()
                fun allocated(): Long = mx.getThreadAllocatedBytes(ids).sum()
                val trips = 20_000
                val before = allocated()
                trips(trips)
                val total = allocated() - before
                println("SuspendedAllocationSpec: $trips suspended round trips allocated $total bytes in total")
                total shouldBeLessThan 16L * trips
            } finally {
                listOf(ping, pong, ln).forEach { it.close() }
            }
        } finally {
            scope.cancel()
            dispatcher.close()
        }
    }

    test("round trips whose blocking reads all park allocate under 16 bytes each") {
        val mx = ManagementFactory.getThreadMXBean() as com.sun.management.ThreadMXBean
        val (ln, ping, pong) = runBlocking { tcpPair() }
        try {
            val ponger = Thread({
                val b = ByteBuffer.allocateDirect(64)
                try {
                    while (true) {
                        pong.readFullyBlocking(b.clear())
                        pong.writeBlocking(b.flip())
                    }
                } catch (e: IOException) {
                    // closed below
                }
            }, "alloc-spec-pong")
            ponger.start()
            val out = ByteBuffer.allocateDirect(64)
            val back = ByteBuffer.allocateDirect(64)
            fun trips(n: Int) = repeat(n) {
                ping.writeBlocking(out.clear())
                ping.readFullyBlocking(back.clear())
            }
            trips(5_000)
            // The pinger, the ponger and whichever thread polls (a dispatcher worker or the driver).
            val ids = Thread.getAllStackTraces().keys.map { it.id }.toLongArray()
            fun allocated(): Long = mx.getThreadAllocatedBytes(ids).filter { it > 0 }.sum()
            val trips = 5_000
            val before = allocated()
            trips(trips)
            val total = allocated() - before
            println("SuspendedAllocationSpec: $trips parked blocking round trips allocated $total bytes in total")
            total shouldBeLessThan 16L * trips
        } finally {
            listOf(ping, pong, ln).forEach { it.close() }
        }
    }
})
