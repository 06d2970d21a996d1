package io.netpoll.samples.resp

import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.withTimeoutOrNull
import java.nio.ByteBuffer

/** The RESP protocol and command semantics on byte buffers, no sockets. */
class RespSessionSpec : StringSpec({
    fun cmd(vararg words: String): String = "*${words.size}\r\n" + words.joinToString("") { "\$${it.length}\r\n$it\r\n" }

    class Client(service: RespService = RespService()) {
        val session = RespSession(service)
        val input: ByteBuffer = ByteBuffer.allocate(1 shl 17)
        var open = true

        fun send(raw: String): String {
            input.put(raw.toByteArray())
            input.flip()
            open = session.process(input) != RespSession.CLOSE
            input.compact()
            val b = session.out.buffer
            val s = String(b.array(), 0, b.position())
            session.out.clear()
            return s
        }
    }

    "inline and multibulk PING, ECHO, pipelined batch answered in order" {
        val c = Client()
        c.send("PING\r\n") shouldBe "+PONG\r\n"
        c.send(cmd("PING")) shouldBe "+PONG\r\n"
        c.send(cmd("ECHO", "hi") + cmd("SET", "k", "v") + cmd("GET", "k")) shouldBe "\$2\r\nhi\r\n+OK\r\n\$1\r\nv\r\n"
    }

    "a command split across reads runs once it is complete" {
        val c = Client()
        val whole = cmd("SET", "key", "value")
        c.send(whole.substring(0, 7)) shouldBe ""
        c.send(whole.substring(7, 20)) shouldBe ""
        c.send(whole.substring(20)) shouldBe "+OK\r\n"
    }

    "strings: SET options, INCR family, MSET/MGET, APPEND" {
        val c = Client()
        c.send(cmd("INCR", "n")) shouldBe ":1\r\n"
        c.send(cmd("INCRBY", "n", "41")) shouldBe ":42\r\n"
        c.send(cmd("DECR", "n")) shouldBe ":41\r\n"
        c.send(cmd("SET", "s", "abc")) shouldBe "+OK\r\n"
        c.send(cmd("INCR", "s")) shouldBe "-ERR value is not an integer or out of range\r\n"
        c.send(cmd("SET", "s", "x", "NX")) shouldBe "\$-1\r\n"
        c.send(cmd("SET", "s", "x", "XX")) shouldBe "+OK\r\n"
        c.send(cmd("APPEND", "s", "yz")) shouldBe ":3\r\n"
        c.send(cmd("MSET", "a", "1", "b", "2")) shouldBe "+OK\r\n"
        c.send(cmd("MGET", "a", "nope", "b")) shouldBe "*3\r\n\$1\r\n1\r\n\$-1\r\n\$1\r\n2\r\n"
        c.send(cmd("SET", "big", "1", "EX", "0")) shouldBe "-ERR invalid expire time in 'set' command\r\n"
        c.send(cmd("SET", "n", "9223372036854775807") + cmd("INCR", "n")) shouldBe
            "+OK\r\n-ERR increment or decrement would overflow\r\n"
    }

    "integer arguments: every long parses, Long.MIN_VALUE and MIN_VALUE + 1 included; anything else is refused" {
        val c = Client()
        c.send(cmd("SET", "n", "0") + cmd("INCRBY", "n", "-9223372036854775807")) shouldBe "+OK\r\n:-9223372036854775807\r\n"
        c.send(cmd("SET", "n", "0") + cmd("INCRBY", "n", "-9223372036854775808")) shouldBe "+OK\r\n:-9223372036854775808\r\n"
        c.send(cmd("SET", "n", "0") + cmd("INCRBY", "n", "9223372036854775807")) shouldBe "+OK\r\n:9223372036854775807\r\n"
        c.send(cmd("DECRBY", "n", "-9223372036854775808")) shouldBe "-ERR decrement would overflow\r\n"
        for (bad in listOf("9223372036854775808", "-9223372036854775809", "-0", "007", "+1", "1x", "", "-")) {
            c.send(cmd("INCRBY", "n", bad)) shouldBe "-ERR value is not an integer or out of range\r\n"
        }
        c.send(cmd("SET", "m", "5") + cmd("DECRBY", "m", "7") + cmd("DECRBY", "m", "-2")) shouldBe "+OK\r\n:-2\r\n:0\r\n"
    }

    "INFO returns the sections asked for, case-insensitively, in Redis's order; all, default and none return every one" {
        val c = Client(RespService(runtimeInfo = { "netpoll_backend:epoll\r\n" }))
        fun info(vararg sections: String): String {
            val reply = c.send(cmd("INFO", *sections))
            val body = reply.substringAfter("\r\n")
            reply.substringBefore("\r\n") shouldBe "\$${body.length - 2}"
            return body.removeSuffix("\r\n")
        }
        fun headers(text: String) = text.lines().filter { it.startsWith("#") }.map { it.trim() }
        val every = listOf("# Server", "# Clients", "# Stats", "# Keyspace", "# Netpoll")
        headers(info()) shouldBe every
        headers(info("all")) shouldBe every
        headers(info("DEFAULT")) shouldBe every
        headers(info("everything")) shouldBe every
        info("server").substringBefore("redis_mode") shouldBe "# Server\r\nredis_version:7.0.0\r\n"
        headers(info("SERVER")) shouldBe listOf("# Server")
        headers(info("netpoll", "Clients")) shouldBe listOf("# Clients", "# Netpoll")
        info("netpoll") shouldBe "# Netpoll\r\nnetpoll_backend:epoll\r\n"
        c.send(cmd("INFO", "nosuch")) shouldBe "\$0\r\n\r\n"
        c.send(cmd("INFO", "keyspace")) shouldBe "\$12\r\n# Keyspace\r\n\r\n"
    }

    "lists, sets, hashes, sorted sets, streams" {
        val c = Client()
        c.send(cmd("LPUSH", "l", "a", "b", "c")) shouldBe ":3\r\n"
        c.send(cmd("RPUSH", "l", "z")) shouldBe ":4\r\n"
        c.send(cmd("LRANGE", "l", "0", "-1")) shouldBe "*4\r\n\$1\r\nc\r\n\$1\r\nb\r\n\$1\r\na\r\n\$1\r\nz\r\n"
        c.send(cmd("LRANGE", "l", "-2", "100")) shouldBe "*2\r\n\$1\r\na\r\n\$1\r\nz\r\n"
        c.send(cmd("LPOP", "l") + cmd("RPOP", "l") + cmd("LLEN", "l")) shouldBe "\$1\r\nc\r\n\$1\r\nz\r\n:2\r\n"
        c.send(cmd("SADD", "s", "x", "y", "x")) shouldBe ":2\r\n"
        c.send(cmd("SISMEMBER", "s", "y") + cmd("SCARD", "s")) shouldBe ":1\r\n:2\r\n"
        c.send(cmd("SPOP", "s", "5")).startsWith("*2\r\n") shouldBe true
        c.send(cmd("EXISTS", "s")) shouldBe ":0\r\n"
        c.send(cmd("HSET", "h", "f", "1", "g", "2")) shouldBe ":2\r\n"
        c.send(cmd("HGET", "h", "g") + cmd("HLEN", "h")) shouldBe "\$1\r\n2\r\n:2\r\n"
        c.send(cmd("HGETALL", "h")) shouldBe "*4\r\n\$1\r\nf\r\n\$1\r\n1\r\n\$1\r\ng\r\n\$1\r\n2\r\n"
        c.send(cmd("ZADD", "z", "2", "b", "1", "a", "1.5", "m")) shouldBe ":3\r\n"
        c.send(cmd("ZRANGE", "z", "0", "-1", "WITHSCORES")) shouldBe
            "*6\r\n\$1\r\na\r\n\$1\r\n1\r\n\$1\r\nm\r\n\$3\r\n1.5\r\n\$1\r\nb\r\n\$1\r\n2\r\n"
        c.send(cmd("ZPOPMIN", "z")) shouldBe "*2\r\n\$1\r\na\r\n\$1\r\n1\r\n"
        c.send(cmd("ZADD", "z", "x", "y")) shouldBe "-ERR value is not a valid float\r\n"
        c.send(cmd("XADD", "st", "*", "f", "v")).matches(Regex("\\$\\d+\r\n\\d+-0\r\n")) shouldBe true
        c.send(cmd("XLEN", "st")) shouldBe ":1\r\n"
        c.send(cmd("GET", "h")) shouldBe "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
        c.send(cmd("TYPE", "h") + cmd("TYPE", "l") + cmd("TYPE", "none")) shouldBe "+hash\r\n+list\r\n+none\r\n"
        c.send(cmd("DEL", "h", "l", "nope") + cmd("DBSIZE")) shouldBe ":2\r\n:2\r\n"
        c.send(cmd("FLUSHALL") + cmd("DBSIZE")) shouldBe "+OK\r\n:0\r\n"
    }

    "expiry: TTL and PTTL report, lazily and actively expired keys disappear" {
        var now = 1_000_000L
        val store = Store { now }
        val k = Key("k".toByteArray())
        store.put(k, "v".toByteArray())
        store.ttlMillis(k) shouldBe -1
        store.expireAt(k, now + 10_000) shouldBe true
        store.ttlMillis(k) shouldBe 10_000
        now += 10_000
        store.get(k) shouldBe null
        store.ttlMillis(k) shouldBe -2
        store.put(k, "v".toByteArray())
        store.expireAt(k, now + 5)
        store.expireDue(100) shouldBe 0
        now += 5
        store.expireDue(100) shouldBe 1
        store.size() shouldBe 0
        store.put(k, "v".toByteArray())
        store.expireAt(k, now + 5)
        store.put(k, "w".toByteArray())
        now += 5
        store.expireDue(100) shouldBe 0
        store.get(k)!!.let { String(it as ByteArray) } shouldBe "w"
    }

    "EXPIRE and TTL through commands" {
        val c = Client()
        c.send(cmd("SET", "k", "v") + cmd("EXPIRE", "k", "100") + cmd("TTL", "k")) shouldBe "+OK\r\n:1\r\n:100\r\n"
        c.send(cmd("TTL", "nope") + cmd("EXPIRE", "nope", "1")) shouldBe ":-2\r\n:0\r\n"
        c.send(cmd("PERSIST", "k") + cmd("TTL", "k")) shouldBe ":1\r\n:-1\r\n"
    }

    "errors: unknown command, wrong arity, SELECT out of range keep the connection" {
        val c = Client()
        c.send(cmd("NOPE", "a", "b")) shouldBe "-ERR unknown command 'NOPE', with args beginning with: 'a' 'b' \r\n"
        c.send(cmd("GET")) shouldBe "-ERR wrong number of arguments for 'get' command\r\n"
        c.send(cmd("SELECT", "1") + cmd("SELECT", "0")) shouldBe "-ERR DB index is out of range\r\n+OK\r\n"
        c.open shouldBe true
    }

    "malformed protocol is answered like Redis and closes the connection" {
        for ((raw, reply) in listOf(
            "*x\r\n" to "-ERR Protocol error: invalid multibulk length\r\n",
            "*1\r\n+PING\r\n" to "-ERR Protocol error: expected '$', got '+'\r\n",
            "*1\r\n\$-5\r\n" to "-ERR Protocol error: invalid bulk length\r\n",
            "*1\r\n\$536870913\r\n" to "-ERR Protocol error: invalid bulk length\r\n",
            "*9999999999\r\n" to "-ERR Protocol error: invalid multibulk length\r\n",
        )) {
            val c = Client()
            c.send(raw) shouldBe reply
            c.open shouldBe false
        }
        val c = Client()
        c.send("A".repeat(65 * 1024 - 1)) shouldBe "-ERR Protocol error: too big inline request\r\n"
    }

    "a declared bulk under the limit waits for its bytes without consuming any" {
        val p = RespParser(maxBulkBytes = 1000)
        val b = ByteBuffer.wrap("*1\r\n\$900\r\nab".toByteArray())
        p.parse(b) shouldBe RespParser.INCOMPLETE
        b.position() shouldBe 0
        val over = ByteBuffer.wrap("*1\r\n\$1001\r\n".toByteArray())
        runCatching { RespParser(maxBulkBytes = 1000).parse(over) }.exceptionOrNull()!!.message shouldBe "invalid bulk length"
    }

    "QUIT replies OK and ends the connection" {
        val c = Client()
        c.send(cmd("QUIT")) shouldBe "+OK\r\n"
        c.open shouldBe false
    }

    "pub/sub: messages reach subscribers in order, subscribe mode restricts commands, a full outbox drops the client" {
        val service = RespService()
        val message = "*3\r\n\$7\r\nmessage\r\n\$2\r\nch\r\n\$2\r\nm0\r\n".length
        var dropped = false
        // Room for eight queued (unwritten) messages of this size.
        val sub = RespSession(service, outboxBytes = 8L * message) { dropped = true }
        val pub = Client(service)
        val input = ByteBuffer.allocate(4096)
        fun subSend(raw: String) {
            input.put(raw.toByteArray())
            input.flip()
            sub.process(input)
            input.compact()
        }
        // What the connection's writer does: take everything queued as one batch, write it, and
        // come back for more (nothing queued now), which releases the batch's bytes.
        suspend fun drained(): String {
            val batch = sub.outbox!!.next()!!
            val text = String(ByteArray(batch.remaining()).also { batch.get(it) })
            withTimeoutOrNull(20) { sub.outbox!!.next() } shouldBe null
            return text
        }
        subSend(cmd("SET", "a", "1") + cmd("SUBSCRIBE", "ch", "other"))
        drained() shouldBe "+OK\r\n*3\r\n\$9\r\nsubscribe\r\n\$2\r\nch\r\n:1\r\n*3\r\n\$9\r\nsubscribe\r\n\$5\r\nother\r\n:2\r\n"
        pub.send(cmd("PUBLISH", "ch", "hello")) shouldBe ":1\r\n"
        pub.send(cmd("PUBLISH", "nobody", "x")) shouldBe ":0\r\n"
        subSend(cmd("GET", "a") + cmd("PING"))
        drained() shouldBe "*3\r\n\$7\r\nmessage\r\n\$2\r\nch\r\n\$5\r\nhello\r\n" +
            "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n" +
            "*2\r\n\$4\r\npong\r\n\$0\r\n\r\n"
        repeat(8) { pub.send(cmd("PUBLISH", "ch", "m$it")) shouldBe ":1\r\n" }
        // Written messages free their bytes: eight more fit.
        drained().length shouldBe 8 * message
        repeat(8) { pub.send(cmd("PUBLISH", "ch", "n$it")) shouldBe ":1\r\n" }
        dropped shouldBe false
        pub.send(cmd("PUBLISH", "ch", "o0")) shouldBe ":0\r\n"
        dropped shouldBe true
        sub.outbox!!.next() shouldBe null
        sub.close()
        pub.send(cmd("PUBLISH", "ch", "x")) shouldBe ":0\r\n"
    }
})
