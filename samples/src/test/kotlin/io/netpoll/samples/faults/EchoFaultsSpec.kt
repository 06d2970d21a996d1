package io.netpoll.samples.faults

import io.kotest.core.spec.style.StringSpec
import io.netpoll.net.net
import io.netpoll.samples.echo.EchoServer
import io.netpoll.samples.server.ServerRuntime
import io.netpoll.testing.EchoDriver
import io.netpoll.testing.FaultClass
import io.netpoll.testing.FaultProxy
import io.netpoll.testing.FaultRun
import kotlin.time.Duration.Companion.seconds

/**
 * The echo sample through [FaultProxy], every fault class of [FaultClass.all], driven by
 * net-kt's Kotlin client calls: echoed bytes intact and in order or the exact exception, within
 * the deadline, and the server's connections, the Netpoll's and the process's descriptors back at
 * their baseline after each class.
 */
class EchoFaultsSpec : StringSpec({
    val server = EchoServer.start(ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0")
    val proxy = FaultProxy.to(server.port)
    afterSpec {
        proxy.close()
        server.shutdown()
    }
    var connections = 0
    var verified = 0L

    for (fault in FaultClass.all) {
        "echo sample, ${fault.name}: echoed bytes arrive intact or reading ends ${fault.read}; the server's connections return to baseline" {
            net(bound = 60.seconds) {
                val report = FaultRun.echo(proxy, fault, EchoDriver.kotlin, server::connections)
                connections += report.outcomes.size
                verified += report.verified
                println("EchoFaultsSpec: $report")
            }
        }
    }

    "totals" {
        println("EchoFaultsSpec: ${FaultClass.all.size} fault classes: $connections connections, $verified bytes verified")
    }
})
