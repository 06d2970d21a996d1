package io.netpoll.samples.soak

import io.kotest.assertions.withClue
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.ints.shouldBeLessThanOrEqual
import io.kotest.matchers.longs.shouldBeLessThanOrEqual
import io.kotest.matchers.shouldBe
import io.netpoll.dispatcher.Netpoll
import io.netpoll.net.Conn
import io.netpoll.net.Net
import io.netpoll.poller.Netpoll as ProcessNetpoll
import io.netpoll.samples.echo.EchoServer
import io.netpoll.samples.server.ServerRuntime
import io.netpoll.samples.server.TcpServer
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import java.nio.ByteBuffer
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.atomic.AtomicLongArray
import kotlin.time.Duration.Companion.seconds

/**
 * Connection churn against the echo sample in this JVM: connect/close/reset cycles of five kinds
 * ([Kind]), after which this JVM's descriptors (/proc/self/fd), the Netpoll's registered
 * descriptors (PollDescs), its threads and its heap after a full GC are back at their baseline.
 * The baseline is taken after a warm-up round of the same cycles; tolerances: descriptors and
 * PollDescs exact, threads +4, heap +16 MiB.
 *
 * CI runs [CI_CYCLES] (about a minute on 2 cores); `-Dnetpoll.soak=long` runs 1,000,000.
 */
class CyclesSoakSpec : StringSpec({
    val cycles = Soak.size(CI_CYCLES, 1_000_000)

    "$cycles connect/close/reset cycles leave descriptors, PollDescs, threads and heap where they started" {
        val server = EchoServer.start(ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0")
        try {
            val address = "127.0.0.1:${server.port}"
            churn(address, 2_000)
            settle(server)
            val fds0 = Soak.openDescriptors()
            val pds0 = ProcessNetpoll.get().stats().descriptors()
            val threads0 = Soak.threads()
            val heap0 = Soak.heapAfterGc()

            val t0 = System.nanoTime()
            val byKind = churn(address, cycles)
            val tookMillis = (System.nanoTime() - t0) / 1_000_000
            settle(server)
            val fds1 = Soak.openDescriptors()
            val pds1 = ProcessNetpoll.get().stats().descriptors()
            val threads1 = Soak.threads()
            val heap1 = Soak.heapAfterGc()
            println("CyclesSoak: $cycles cycles in $tookMillis ms (${cycles * 1000L / maxOf(1, tookMillis)}/s; " +
                Kind.values().joinToString { "${it.label} ${byKind[it.ordinal]}" } + "); " +
                "descriptors $fds0 -> $fds1, PollDescs $pds0 -> $pds1, threads $threads0 -> $threads1, " +
                "heap after GC ${Soak.mib(heap0)} -> ${Soak.mib(heap1)}")
            (0 until Kind.values().size).sumOf { byKind[it] } shouldBe cycles.toLong()
            withClue("descriptors") { fds1 shouldBe fds0 }
            withClue("PollDescs") { pds1 shouldBe pds0 }
            withClue("threads") { threads1 shouldBeLessThanOrEqual threads0 + 4 }
            withClue("heap after GC") { heap1 shouldBeLessThanOrEqual heap0 + 16 * 1024 * 1024 }
        } finally {
            server.shutdown()
        }
    }
})

/** What the client does with each connection; the server echoes what it gets and closes when the client does. */
private enum class Kind(val label: String) {
    CLOSE("closed unused"),
    RESET("reset unused (SO_LINGER 0)"),
    ECHO_CLOSE("closed after an echo"),
    SEND_CLOSE("closed with the echo unread"),
    ECHO_RESET("reset after an echo"),
}

private const val CI_CYCLES = 200_000
private const val WORKERS = 64
private val PAYLOAD = "0123456789abcdef".repeat(4).toByteArray()

/** Runs [count] cycles on [WORKERS] coroutines, kinds in turn; how many of each completed. */
private suspend fun churn(address: String, count: Int): AtomicLongArray = withContext(Dispatchers.Netpoll) {
    val done = AtomicLongArray(Kind.values().size)
    val next = AtomicInteger()
    withTimeout(Soak.size(240, 1200).seconds) {
        repeat(WORKERS) {
            launch {
                val back = ByteBuffer.allocateDirect(PAYLOAD.size)
                while (true) {
                    val i = next.getAndIncrement()
                    if (i >= count) break
                    val kind = Kind.values()[i % Kind.values().size]
                    cycle(Net.dial("tcp", address), kind, back)
                    done.incrementAndGet(kind.ordinal)
                }
            }
        }
    }
    done
}

private suspend fun cycle(c: Conn, kind: Kind, back: ByteBuffer) {
    c.use {
        when (kind) {
            Kind.CLOSE -> {}
            Kind.RESET -> c.setLinger(0)
            Kind.SEND_CLOSE -> c.write(ByteBuffer.wrap(PAYLOAD))
            Kind.ECHO_CLOSE, Kind.ECHO_RESET -> {
                c.write(ByteBuffer.wrap(PAYLOAD))
                c.readFully(back.clear())
                if (back.flip() != ByteBuffer.wrap(PAYLOAD)) throw AssertionError("echo differs")
                if (kind == Kind.ECHO_RESET) c.setLinger(0)
            }
        }
    }
}

/** Waits (up to 10 s) until the server has closed every connection the clients ended. */
private fun settle(server: TcpServer) {
    val until = System.nanoTime() + 10_000_000_000L
    while (server.connections > 0 && System.nanoTime() < until) Thread.sleep(10)
    Thread.sleep(100)
    server.connections shouldBe 0
}
