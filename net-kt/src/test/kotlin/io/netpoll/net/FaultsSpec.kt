package io.netpoll.net

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.netpoll.dispatcher.Netpoll
import io.netpoll.testing.EchoDriver
import io.netpoll.testing.EchoFault
import io.netpoll.testing.Ending
import io.netpoll.testing.Fault
import io.netpoll.testing.FaultProxy
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch
import java.io.IOException
import java.nio.ByteBuffer
import java.nio.channels.ClosedChannelException
import java.util.concurrent.atomic.AtomicInteger
import kotlin.time.Duration.Companion.seconds

/**
 * net-kt's client APIs through [FaultProxy] to a net-kt echo server: for every fault class
 * ([EchoFault.classes]) and every way of calling (Kotlin read/write, readFully, BufReader/BufWriter;
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

    for (fault in EchoFault.classes) {
        "${fault.name}: echoed bytes arrive intact and in order, or reading ends ${fault.read}, within the deadline, nothing left open" {
            net(bound = 60.seconds) {
                val report = EchoFault.run(proxy, fault, EchoDriver.all, open::get)
                connections += report.runs.size
                verified += report.bytesVerified
                println("FaultsSpec: $report")
            }
        }
    }

    "the integrity check catches a proxy that corrupts one byte" {
        net {
            val sabotage = EchoFault("corrupt byte 5000", Fault.none(), Fault.none().corruptAt(5_000), 64 * 1024, 10_000, Ending.COMPLETE)
            proxy.faults(sabotage.toServer, sabotage.toClient)
            val e = shouldThrow<AssertionError> { EchoFault.runOne(proxy, sabotage, EchoDriver.ConnReadWrite, seed = 99) }
            e.message shouldContain "byte 5000 "
            println("FaultsSpec: a corrupted byte is caught: ${e.message}")
            proxy.faults(Fault.none(), Fault.none())
            proxy.awaitIdle(5_000) shouldBe true
        }
    }

    "totals" {
        println("FaultsSpec: ${EchoFault.classes.size} fault classes x ${EchoDriver.all.size} client APIs: $connections connections, $verified bytes verified")
    }
})
