package io.netpoll.net

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.netpoll.dispatcher.Netpoll
import io.netpoll.testing.Conversation
import io.netpoll.testing.EchoDriver
import io.netpoll.testing.Ending
import io.netpoll.testing.Fault
import io.netpoll.testing.FaultClass
import io.netpoll.testing.FaultProxy
import io.netpoll.testing.FaultRun
import io.netpoll.testing.SeededStream
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch
import java.io.IOException
import java.nio.ByteBuffer
import java.nio.channels.ClosedChannelException
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.seconds

/**
 * net-kt's client APIs through [FaultProxy] to a net-kt echo server: for every fault class
 * ([FaultClass.all]) and every way of calling (Kotlin read/write, readFully, BufReader/BufWriter;
 * the Java facade's blocking calls, futures and streams — [EchoDriver.all]) every echoed byte
 * arrives intact and in order, or the call ends with the exact exception the fault calls for, within
 * its deadline, and nothing is left open.
 */
class FaultsSpec : StringSpec({
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Netpoll)
    val ln = Net.listen("tcp", "127.0.0.1:0")
    val open = AtomicInteger()
    scope.launch {
        while (true) {
            val c = try { ln.accept() } catch (e: ClosedChannelException) { break }
            open.incrementAndGet()
            launch {
                try {
                    val b = ByteBuffer.allocateDirect(16 * 1024)
                    while (c.read(b.clear()) > 0) c.write(b.flip())
                } catch (e: IOException) {
                    // The fault under test ended this connection.
                } finally {
                    c.close()
                    open.decrementAndGet()
                }
            }
        }
    }
    val proxy = FaultProxy.to(ln.port)
    afterSpec {
        proxy.close()
        ln.close()
        scope.cancel()
    }
    var connections = 0
    var verified = 0L

    for (fault in FaultClass.all) {
        "${fault.name}: echoed bytes arrive intact and in order, or reading ends ${fault.read}, within the deadline, nothing left open" {
            net(bound = 60.seconds) {
                val report = FaultRun.echo(proxy, fault, EchoDriver.all, open::get)
                connections += report.outcomes.size
                verified += report.verified
                println("FaultsSpec: $report")
            }
        }
    }

    "a writer blocked behind a stall ends with DeadlineExceededException at its deadline, whichever API it writes with" {
        net(bound = 60.seconds) {
            // 32 MiB is more than the client's send buffer and the proxy's receive buffer hold
            // together (tcp_wmem and tcp_rmem maxima of 4 and 6 MiB), so every writer blocks.
            val bytes = 32 shl 20
            val stalled = object : Conversation by Conversation.echo(bytes) {
                override val requestFaultAt = 64 * 1024L + 13
            }
            val blocked = FaultClass(
                "stall towards the server, writer blocked", Ending.DEADLINE, FaultClass.Expect.OWED,
                writes = setOf(Ending.DEADLINE), deadlineMillis = FaultClass.STALL_DEADLINE,
            ) { up, _ -> Fault.none().stallAt(up).resumeAfter(2_000) to Fault.none() }
            val report = FaultRun.check(proxy, blocked, stalled, open::get) {
                EchoDriver.all.mapIndexed { i, d ->
                    async {
                        val data = SeededStream(i + 1L)
                        val v = data.verifier()
                        FaultRun.connection(proxy, blocked.deadlineMillis, d.api, v::verified) { c -> d.run(c, data, bytes, v) }
                    }
                }.awaitAll()
            }
            connections += report.outcomes.size
            verified += report.verified
            println("FaultsSpec: $report")
        }
    }

    "the integrity check catches a proxy that corrupts one byte" {
        net {
            proxy.faults(Fault.none(), Fault.none().corruptAt(5_000))
            val data = SeededStream(99)
            val v = data.verifier()
            val e = shouldThrow<AssertionError> {
                FaultRun.connection(proxy, 10_000, "Conn.read/write", v::verified) { c -> EchoDriver.ConnReadWrite.run(c, data, 64 * 1024, v) }
            }
            e.message shouldContain "byte 5000 "
            println("FaultsSpec: a corrupted byte is caught: ${e.message}")
            proxy.faults(Fault.none(), Fault.none())
            proxy.awaitIdle(5_000) shouldBe true
        }
    }

    "totals" {
        println("FaultsSpec: ${FaultClass.all.size} fault classes and a blocked writer x ${EchoDriver.all.size} client APIs: $connections connections, $verified bytes verified")
    }
})
