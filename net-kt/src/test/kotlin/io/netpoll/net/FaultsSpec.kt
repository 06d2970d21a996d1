package io.netpoll.net

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.netpoll.dispatcher.Netpoll
import io.netpoll.testing.EchoDriver
import io.netpoll.testing.Fault
import io.netpoll.testing.FaultClass
import io.netpoll.testing.FaultProxy
import io.netpoll.testing.FaultRun
import io.netpoll.testing.SeededStream
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
        println("FaultsSpec: ${FaultClass.all.size} fault classes x ${EchoDriver.all.size} client APIs: $connections connections, $verified bytes verified")
    }
})
