package io.netpoll.samples.faults

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.netpoll.net.net
import io.netpoll.samples.Tools
import io.netpoll.samples.resp.RespServer
import io.netpoll.samples.server.ServerRuntime
import io.netpoll.testing.Ending
import io.netpoll.testing.Fault
import io.netpoll.testing.FaultClass
import io.netpoll.testing.FaultProxy
import io.netpoll.testing.FaultRun
import io.netpoll.testing.SeededStream
import kotlin.time.Duration.Companion.seconds

/**
 * The RESP sample through [FaultProxy]: pipelined SET/GET pairs with binary values from our own
 * client (net-kt's BufWriter/BufReader) under every fault class — replies exact and in order, or
 * the exact exception, within the deadline; the store then holds whole commands only, in order
 * (a command torn by a truncation or half-close never runs); the server's connections and the
 * descriptors back at their baseline. Then redis-cli through the proxy.
 */
class RespFaultsSpec : StringSpec({
    val (server, _) = RespServer.start(ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0")
    val proxy = FaultProxy.to(server.port)
    afterSpec {
        proxy.close()
        server.shutdown()
    }
    val pairs = 200
    var verified = 0L
    var keys = 0

    FaultClass.all.forEachIndexed { i, fault ->
        "resp sample, ${fault.name}: replies exact and in order or reading ends ${fault.read}; the store holds whole commands, in order" {
            net(bound = 60.seconds) {
                val x = RespExchange("c%02d".format(i), i + 1L, pairs)
                val report = FaultRun.check(proxy, fault, x, server::connections) { listOf(x.connection(proxy, fault.deadlineMillis)) }
                val stored = x.keysStored(server.port)
                if (fault.read == Ending.COMPLETE) stored shouldBe pairs
                val (toServer, _) = fault.faults(x)
                if (toServer.truncateAt() >= 0 || toServer.halfCloseAt() >= 0) stored shouldBe x.setsWithin(x.requestFaultAt)
                verified += report.verified
                keys += stored
                println("RespFaultsSpec: $report; $stored of $pairs SETs stored whole")
            }
        }
    }

    "the reply check catches a proxy that corrupts one byte" {
        net {
            val x = RespExchange("sab", 99, 20)
            proxy.faults(Fault.none(), Fault.none().corruptAt(1_000))
            val e = shouldThrow<AssertionError> { x.connection(proxy, 10_000) }
            e.message shouldContain "reply byte 1000 "
            println("RespFaultsSpec: a corrupted byte is caught: ${e.message}")
            proxy.faults(Fault.none(), Fault.none())
            proxy.awaitIdle(5_000) shouldBe true
        }
    }

    "totals" {
        println("RespFaultsSpec: ${FaultClass.all.size} fault classes, ${FaultClass.all.size} connections, $verified reply bytes verified, $keys keys read back intact")
    }

    val hasCli = Tools.has("redis-cli")

    fun cli(vararg args: String): Tools.Result = Tools.run("redis-cli", "-p", "${proxy.port()}", *args, timeoutSeconds = 20)

    "redis-cli through 1-byte segments and delays both ways gets exact replies".config(enabled = hasCli) {
        proxy.faults(Fault.none().fragment(1).delay(1), Fault.none().fragment(1))
        val (up, down) = proxy.bytesToServer() to proxy.bytesToClient()
        val value = SeededStream(7).bytes(0, 3000).joinToString("") { "%02x".format(it) }
        cli("SET", "fault:cli", value).out shouldBe "OK\n"
        cli("GET", "fault:cli").out shouldBe "$value\n"
        cli("RPUSH", "fault:list", "a", "b c", "").out shouldBe "3\n"
        cli("LRANGE", "fault:list", "0", "-1").out shouldBe "a\nb c\n\n"
        println("RespFaultsSpec: redis-cli through 1-byte segments: ${proxy.bytesToServer() - up} bytes to the server, ${proxy.bytesToClient() - down} back, one segment each")
        proxy.awaitIdle(5_000) shouldBe true
    }

    "redis-cli through a reset reports it and exits non-zero; the server's connections return to baseline".config(enabled = hasCli) {
        proxy.faults(Fault.none(), Fault.none())
        proxy.awaitIdle(5_000) shouldBe true
        val baseline = server.connections
        proxy.faults(Fault.none(), Fault.none().resetAt(3))
        val r = cli("PING")
        println("RespFaultsSpec: redis-cli through a reset: exit ${r.exit}, out '${r.out.trim()}', err '${r.err.trim()}'")
        (r.exit != 0) shouldBe true
        (r.out + r.err).contains("Connection reset by peer") shouldBe true
        proxy.awaitIdle(5_000) shouldBe true
        val until = System.nanoTime() + 5_000_000_000L
        while (server.connections > baseline && System.nanoTime() < until) Thread.sleep(10)
        server.connections shouldBe baseline
        proxy.faults(Fault.none(), Fault.none())
    }
})
