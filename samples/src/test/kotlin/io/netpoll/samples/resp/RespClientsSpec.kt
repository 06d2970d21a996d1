package io.netpoll.samples.resp

import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.collections.shouldContain
import io.kotest.matchers.longs.shouldBeInRange
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.string.shouldEndWith
import io.kotest.matchers.string.shouldNotContain
import io.kotest.matchers.string.shouldStartWith
import io.netpoll.samples.Tools
import io.netpoll.samples.Tools.drainToEnd
import io.netpoll.samples.Tools.readN
import io.netpoll.samples.Tools.readToEnd
import io.netpoll.samples.server.ServerRuntime
import java.util.concurrent.TimeUnit
import kotlin.concurrent.thread

/** The RESP server against redis-cli, redis-benchmark and raw sockets, on 127.0.0.1. */
class RespClientsSpec : StringSpec({
    val (server, service) = RespServer.start(
        ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0",
        maxBulkBytes = 1L shl 20, outboxBytes = 4L shl 20,
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

    "redis-cli: SET with PX and EX, PTTL, TTL, expiry, DECRBY".config(enabled = hasCli) {
        cli("SET", "short", "v", "PX", "100") shouldBe "OK\n"
        cli("PTTL", "short").trim().toLong() shouldBeInRange 1L..100L
        Thread.sleep(300)
        cli("GET", "short") shouldBe "\n"
        cli("PTTL", "short") shouldBe "-2\n"
        cli("SET", "long", "v", "EX", "10") shouldBe "OK\n"
        cli("TTL", "long") shouldBe "10\n"
        cli("PTTL", "long").trim().toLong() shouldBeInRange 9_000L..10_000L
        cli("SET", "n", "5") shouldBe "OK\n"
        cli("DECRBY", "n", "7") shouldBe "-2\n"
        cli("DECRBY", "n", "-9") shouldBe "7\n"
        cli("DECRBY", "n", "x") shouldBe "ERR value is not an integer or out of range\n\n"
    }

    "redis-cli: INFO has Redis's sections and the runtime's, INFO <section> only that one".config(enabled = hasCli) {
        cli("PING") shouldBe "PONG\n"
        val info = cli("INFO")
        for (line in listOf("# Server", "# Clients", "# Stats", "# Keyspace", "# Netpoll", "netpoll_backend:epoll")) {
            info.lines() shouldContain line
        }
        info shouldContain Regex("\nsched_parallelism:[1-9]\\d*\r?\n")
        val processed = Regex("total_commands_processed:(\\d+)").find(info)!!.groupValues[1].toLong()
        (processed > 0) shouldBe true
        val netpoll = cli("INFO", "NetPoll")
        netpoll shouldStartWith "# Netpoll\r\ndispatcher:netpoll\r\n"
        netpoll shouldNotContain "# Server"
        netpoll shouldNotContain "redis_version"
        // What redis-cli prints for Redis's empty bulk (an unknown section) and empty array.
        cli("INFO", "nosuch") shouldBe ""
    }

    "redis-cli: CONFIG GET save and COMMAND COUNT answer as Redis does".config(enabled = hasCli) {
        cli("CONFIG", "GET", "save") shouldBe "save\n\n"
        cli("CONFIG", "GET", "nosuch") shouldBe "\n"
        cli("COMMAND", "COUNT") shouldBe "${Commands.all.size}\n"
    }

    "raw socket: CONFIG GET save, COMMAND's first entry, UNSUBSCRIBE with one channel and with none, byte for byte" {
        Tools.socket(port).use { s ->
            s.getOutputStream().write("CONFIG GET save\r\nCOMMAND\r\nQUIT\r\n".toByteArray())
            val r = s.readToEnd()
            r shouldStartWith "*2\r\n\$4\r\nsave\r\n\$0\r\n\r\n" +
                "*${Commands.all.size}\r\n*6\r\n\$4\r\nping\r\n:-1\r\n*0\r\n:0\r\n:0\r\n:0\r\n*6\r\n\$4\r\necho\r\n:2\r\n"
            r shouldEndWith "+OK\r\n"
        }
        Tools.socket(port).use { s ->
            // As Redis 7 answers: no subscription yet, then two channels dropped one by one and all at once.
            s.getOutputStream().write(
                "UNSUBSCRIBE\r\nUNSUBSCRIBE a\r\nSUBSCRIBE a b c\r\nUNSUBSCRIBE a\r\nUNSUBSCRIBE\r\nUNSUBSCRIBE\r\nQUIT\r\n".toByteArray(),
            )
            fun confirm(kind: String, channel: String?, count: Int) =
                "*3\r\n\$${kind.length}\r\n$kind\r\n" + (if (channel == null) "\$-1\r\n" else "\$${channel.length}\r\n$channel\r\n") + ":$count\r\n"
            s.readToEnd() shouldBe confirm("unsubscribe", null, 0) + confirm("unsubscribe", "a", 0) +
                confirm("subscribe", "a", 1) + confirm("subscribe", "b", 2) + confirm("subscribe", "c", 3) +
                confirm("unsubscribe", "a", 2) + confirm("unsubscribe", "b", 1) + confirm("unsubscribe", "c", 0) +
                confirm("unsubscribe", null, 0) + "+OK\r\n"
        }
    }

    "redis-cli: UNSUBSCRIBE with one channel and with none".config(enabled = hasCli) {
        cli("UNSUBSCRIBE", "news") shouldBe "unsubscribe\nnews\n0\n"
        cli("UNSUBSCRIBE") shouldBe "unsubscribe\n\n0\n"
    }

    "raw socket: replies queued in subscribe mode are written before the connection closes" {
        // Repeated: the close used to race the outbox's writer.
        repeat(20) {
            Tools.socket(port).use { s ->
                s.getOutputStream().write("SUBSCRIBE c\r\nQUIT\r\n".toByteArray())
                s.readToEnd() shouldBe "*3\r\n\$9\r\nsubscribe\r\n\$1\r\nc\r\n:1\r\n+OK\r\n"
            }
            Tools.socket(port).use { s ->
                s.getOutputStream().write("SUBSCRIBE c\r\n*x\r\n".toByteArray())
                s.readToEnd() shouldBe "*3\r\n\$9\r\nsubscribe\r\n\$1\r\nc\r\n:1\r\n" +
                    "-ERR Protocol error: invalid multibulk length\r\n"
            }
        }
    }

    "redis-cli: SUBSCRIBE receives what PUBLISH sends".config(enabled = hasCli) {
        val sub = Tools.start("redis-cli", "-p", "$port", "SUBSCRIBE", "news")
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
        Tools.socket(port).use { other ->
            other.getOutputStream().write("SET bystander 1\r\n".toByteArray())
            other.readN(5) shouldBe "+OK\r\n"
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
            // The client connected throughout still has its connection and its data.
            other.getOutputStream().write("NOSUCH a\r\n*1\r\n\$3\r\nGET\r\nGET bystander\r\n".toByteArray())
            val expected = "-ERR unknown command 'NOSUCH', with args beginning with: 'a' \r\n" +
                "-ERR wrong number of arguments for 'get' command\r\n\$1\r\n1\r\n"
            other.readN(expected.length) shouldBe expected
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

    "a subscriber that stops reading is dropped once its outbox passes 4 MiB; publishers never wait" {
        Tools.socket(port).use { slow ->
            // A default receive buffer: a 4 KiB one would make reading to EOF take minutes.
            slow.getOutputStream().write("*2\r\n\$9\r\nSUBSCRIBE\r\n\$4\r\nslow\r\n".toByteArray())
            slow.readN(33) shouldBe "*3\r\n\$9\r\nsubscribe\r\n\$4\r\nslow\r\n:1\r\n"
            val payload = "x".repeat(64 * 1024)
            val message = "*3\r\n\$7\r\nmessage\r\n\$4\r\nslow\r\n\$${payload.length}\r\n$payload\r\n".length
            var n = 0
            Tools.socket(port).use { pub ->
                val cmd = "*3\r\n\$7\r\nPUBLISH\r\n\$4\r\nslow\r\n\$${payload.length}\r\n$payload\r\n".toByteArray()
                var delivered = -1
                while (delivered != 0 && n < 2000) {
                    pub.getOutputStream().write(cmd)
                    delivered = pub.readN(4).substring(1, 2).toInt()
                    n++
                }
                delivered shouldBe 0
                // 4 MiB queued, plus what the socket buffers took before the outbox started to fill.
                (n.toLong() * payload.length > 4L shl 20) shouldBe true
                println("slow subscriber dropped after $n publishes of 64 KiB")
            }
            // Dropped means disconnected at once: what the socket buffers hold, then the end of
            // the stream; the (more than 4 MiB of) messages still queued are discarded.
            val started = System.nanoTime()
            val (end, bytes) = slow.drainToEnd()
            end shouldBe Tools.End.EOF
            (bytes < (n + 1L) * message - (4L shl 20)) shouldBe true
            println("slow subscriber read $bytes bytes, then EOF after ${TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)} ms")
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
        (r.out + r.err) shouldNotContain "WARNING"
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
        (r.out + r.err) shouldNotContain "WARNING"
        r.out shouldContain "MSET (10 keys):"
    }

    "redis-benchmark against the same server code on Dispatchers.Default".config(enabled = Tools.has("redis-benchmark")) {
        val (other, _) = RespServer.start(ServerRuntime(ServerRuntime.DEFAULT, null), "127.0.0.1:0")
        try {
            val r = Tools.run("redis-benchmark", "-p", "${other.port}", "-q", "-n", "5000", "-c", "20", "-t", "set,get,lpush,lrange_100",
                timeoutSeconds = 60)
            r.exit shouldBe 0
            (r.out + r.err) shouldNotContain "rror"
            (r.out + r.err) shouldNotContain "WARNING"
            r.out shouldContain "LRANGE_100 (first 100 elements):"
        } finally {
            other.shutdown()
        }
    }

    "shutdown: a connection between commands closes at once; a command arriving in part is completed, answered, closed" {
        val (s2, _) = RespServer.start(ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0")
        Tools.socket(s2.port).use { idle ->
            Tools.socket(s2.port).use { busy ->
                idle.getOutputStream().write("PING\r\n".toByteArray())
                idle.readN(7) shouldBe "+PONG\r\n"
                // A PING answered proves the server has read the half command sent with it.
                busy.getOutputStream().write("PING\r\n*3\r\n\$3\r\nSET\r\n\$1\r\nk\r\n".toByteArray())
                busy.readN(7) shouldBe "+PONG\r\n"
                val started = System.nanoTime()
                val stopper = thread { s2.shutdown() }
                idle.drainToEnd() shouldBe (Tools.End.EOF to 0L)
                val idleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)
                busy.getOutputStream().write("\$1\r\nv\r\n".toByteArray())
                busy.readToEnd() shouldBe "+OK\r\n"
                stopper.join(10_000)
                stopper.isAlive shouldBe false
                println("shutdown: idle connection closed after $idleMillis ms, the half command answered")
                (idleMillis < 1_000) shouldBe true
            }
        }
    }
})
