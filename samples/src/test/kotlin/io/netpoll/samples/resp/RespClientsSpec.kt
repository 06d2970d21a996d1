package io.netpoll.samples.resp

import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldNotContain
import io.netpoll.samples.Tools
import io.netpoll.samples.Tools.readN
import io.netpoll.samples.Tools.readToEnd
import io.netpoll.samples.server.ServerRuntime
import java.util.concurrent.TimeUnit

/** The RESP server against redis-cli, redis-benchmark and raw sockets, on 127.0.0.1. */
class RespClientsSpec : StringSpec({
    val (server, service) = RespServer.start(
        ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0",
        maxBulkBytes = 1L shl 20, outboxMessages = 64,
    )
    val port = server.port
    afterSpec { server.shutdown() }

    fun cli(vararg args: String): String =
        Tools.run("redis-cli", "-p", "$port", *args, timeoutSeconds = 10).also { it.exit shouldBe 0 }.out

    val hasCli = Tools.has("redis-cli")

    "redis-cli: SET, GET, INCR, LPUSH, LRANGE, EXPIRE, TTL with exact replies".config(enabled = hasCli) {
        cli("FLUSHALL") shouldBe "OK\n"
        cli("SET", "greeting", "hello world") shouldBe "OK\n"
        cli("GET", "greeting") shouldBe "hello world\n"
        cli("GET", "missing") shouldBe "\n"
        cli("INCR", "counter") shouldBe "1\n"
        cli("INCRBY", "counter", "41") shouldBe "42\n"
        cli("LPUSH", "list", "a", "b", "c") shouldBe "3\n"
        cli("LRANGE", "list", "0", "-1") shouldBe "c\nb\na\n"
        cli("EXPIRE", "greeting", "100") shouldBe "1\n"
        cli("TTL", "greeting") shouldBe "100\n"
        cli("TTL", "counter") shouldBe "-1\n"
        cli("PEXPIRE", "counter", "50") shouldBe "1\n"
        Thread.sleep(300)
        cli("EXISTS", "counter") shouldBe "0\n"
        cli("TTL", "counter") shouldBe "-2\n"
        // redis-cli prints an error reply followed by an empty line when stdout is not a terminal.
        cli("GET", "list") shouldBe "WRONGTYPE Operation against a key holding the wrong kind of value\n\n"
        cli("DBSIZE") shouldBe "2\n"
    }

    "redis-cli: SUBSCRIBE receives what PUBLISH sends".config(enabled = hasCli) {
        val sub = ProcessBuilder("redis-cli", "-p", "$port", "SUBSCRIBE", "news").start()
        try {
            val lines = sub.inputStream.bufferedReader()
            listOf(lines.readLine(), lines.readLine(), lines.readLine()) shouldBe listOf("subscribe", "news", "1")
            cli("PUBLISH", "news", "extra extra") shouldBe "1\n"
            cli("PUBLISH", "nobody-listens", "x") shouldBe "0\n"
            listOf(lines.readLine(), lines.readLine(), lines.readLine()) shouldBe listOf("message", "news", "extra extra")
        } finally {
            sub.destroy()
            sub.waitFor(5, TimeUnit.SECONDS)
        }
    }

    "raw socket: malformed input gets Redis's error and a close, other clients are unaffected" {
        for ((raw, reply) in listOf(
            "*x\r\n" to "-ERR Protocol error: invalid multibulk length\r\n",
            "*1\r\n:5\r\n" to "-ERR Protocol error: expected '$', got ':'\r\n",
            "*1\r\n\$2000000\r\n" to "-ERR Protocol error: invalid bulk length\r\n",
        )) {
            Tools.socket(port).use { s ->
                s.getOutputStream().write(raw.toByteArray())
                s.readToEnd() shouldBe reply
            }
        }
        Tools.socket(port).use { s ->
            s.getOutputStream().write("NOSUCH a\r\n*1\r\n\$3\r\nGET\r\nPING\r\n".toByteArray())
            val expected = "-ERR unknown command 'NOSUCH', with args beginning with: 'a' \r\n" +
                "-ERR wrong number of arguments for 'get' command\r\n+PONG\r\n"
            s.readN(expected.length) shouldBe expected
        }
    }

    "raw socket: a bulk under the limit arriving in pieces round-trips intact" {
        Tools.socket(port).use { s ->
            val value = ByteArray(900_000) { ('a' + it % 26).code.toByte() }
            val out = s.getOutputStream()
            out.write("*3\r\n\$3\r\nSET\r\n\$3\r\nbig\r\n\$${value.size}\r\n".toByteArray())
            for (i in value.indices step 100_000) {
                out.write(value, i, minOf(100_000, value.size - i))
                out.flush()
                Thread.sleep(5)
            }
            out.write("\r\n*2\r\n\$6\r\nSTRLEN\r\n\$3\r\nbig\r\n".toByteArray())
            s.readN(5 + 9) shouldBe "+OK\r\n:900000\r\n"
        }
    }

    "a subscriber that stops reading is dropped once its outbox fills; publishers never wait" {
        Tools.socket(port).use { slow ->
            slow.receiveBufferSize = 4096
            slow.getOutputStream().write("*2\r\n\$9\r\nSUBSCRIBE\r\n\$4\r\nslow\r\n".toByteArray())
            Thread.sleep(200)
            val payload = "x".repeat(64 * 1024)
            Tools.socket(port).use { pub ->
                val cmd = "*3\r\n\$7\r\nPUBLISH\r\n\$4\r\nslow\r\n\$${payload.length}\r\n$payload\r\n".toByteArray()
                var delivered = -1
                var n = 0
                while (delivered != 0 && n < 2000) {
                    pub.getOutputStream().write(cmd)
                    delivered = pub.readN(4).substring(1, 2).toInt()
                    n++
                }
                delivered shouldBe 0
                println("slow subscriber dropped after $n publishes of 64 KiB")
            }
        }
    }

    "redis-benchmark default tests, 20000 requests, 50 clients: all complete, no errors".config(enabled = Tools.has("redis-benchmark")) {
        val before = service.execute { service.commandsProcessed }
        val r = Tools.run("redis-benchmark", "-p", "$port", "-q", "-n", "20000", "-c", "50", timeoutSeconds = 120)
        val summary = r.out.split('\r', '\n').filter { it.contains("requests per second") }
        println(summary.joinToString("\n"))
        r.exit shouldBe 0
        (r.out + r.err) shouldNotContain "ERR"
        (r.out + r.err) shouldNotContain "rror"
        for (t in listOf("PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "LPUSH", "RPUSH", "LPOP", "RPOP", "SADD",
            "HSET", "SPOP", "ZADD", "ZPOPMIN", "LRANGE_100", "LRANGE_600", "MSET")) {
            summary.any { it.trim().startsWith("$t:") || it.trim().startsWith("$t ") } shouldBe true
        }
        (service.execute { service.commandsProcessed } - before >= 17 * 20_000L) shouldBe true
    }

    "redis-benchmark pipelined (-P 16): all complete, no errors".config(enabled = Tools.has("redis-benchmark")) {
        val r = Tools.run("redis-benchmark", "-p", "$port", "-q", "-n", "20000", "-c", "50", "-P", "16", timeoutSeconds = 90)
        println(r.out.split('\r', '\n').filter { it.contains("requests per second") }.joinToString("\n"))
        r.exit shouldBe 0
        (r.out + r.err) shouldNotContain "rror"
        r.out shouldContain "MSET (10 keys):"
    }

    "redis-benchmark against the same server code on Dispatchers.Default".config(enabled = Tools.has("redis-benchmark")) {
        val (other, _) = RespServer.start(ServerRuntime(ServerRuntime.DEFAULT, null), "127.0.0.1:0")
        try {
            val r = Tools.run("redis-benchmark", "-p", "${other.port}", "-q", "-n", "5000", "-c", "20", "-t", "set,get,lpush,lrange_100",
                timeoutSeconds = 60)
            r.exit shouldBe 0
            (r.out + r.err) shouldNotContain "rror"
            r.out shouldContain "LRANGE_100 (first 100 elements):"
        } finally {
            other.shutdown()
        }
    }
})
