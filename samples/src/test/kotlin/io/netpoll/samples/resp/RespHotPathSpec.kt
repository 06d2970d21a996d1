package io.netpoll.samples.resp

import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.longs.shouldBeLessThan
import io.kotest.matchers.shouldBe
import java.lang.management.ManagementFactory
import java.nio.ByteBuffer

/** Read-only commands look their key up without allocating one, with the same answers and lazy expiry as before. */
class RespHotPathSpec : StringSpec({
    fun cmd(vararg words: String): ByteArray =
        ("*${words.size}\r\n" + words.joinToString("") { "\$${it.length}\r\n$it\r\n" }).toByteArray()

    class Client(service: RespService = RespService()) {
        val session = RespSession(service)
        val input: ByteBuffer = ByteBuffer.allocateDirect(1 shl 16)

        fun send(raw: ByteArray): String {
            input.clear().put(raw).flip()
            session.process(input)
            val b = session.out.buffer
            return String(b.array(), 0, b.position()).also { session.out.clear() }
        }
    }

    "GET of an existing key allocates nothing per command" {
        val mx = ManagementFactory.getThreadMXBean() as com.sun.management.ThreadMXBean
        val c = Client()
        c.send(cmd("SET", "key:__rand_int__", "xxx")) shouldBe "+OK\r\n"
        val get = cmd("GET", "key:__rand_int__")
        c.send(get) shouldBe "\$3\r\nxxx\r\n"
        fun run(n: Int) {
            for (i in 0 until n) {
                c.input.clear().put(get).flip()
                c.session.process(c.input)
                c.session.out.clear()
            }
        }
        run(50_000)
        val n = 100_000
        val self = Thread.currentThread().id
        val before = mx.getThreadAllocatedBytes(self)
        run(n)
        val allocated = mx.getThreadAllocatedBytes(self) - before
        println("RespHotPathSpec: $n GETs allocated $allocated bytes in total")
        // A Key and a copy of its bytes per GET would be over 50 bytes each.
        allocated shouldBeLessThan n.toLong()
    }

    "GET, MGET, EXISTS, STRLEN and TYPE answer as before, and an expired key read through them is deleted" {
        val service = RespService()
        val c = Client(service)
        c.send(cmd("SET", "s", "abc")) shouldBe "+OK\r\n"
        c.send(cmd("RPUSH", "l", "x")) shouldBe ":1\r\n"
        c.send(cmd("GET", "s")) shouldBe "\$3\r\nabc\r\n"
        c.send(cmd("GET", "nope")) shouldBe "\$-1\r\n"
        c.send(cmd("GET", "l")) shouldBe "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
        c.send(cmd("MGET", "s", "nope", "l")) shouldBe "*3\r\n\$3\r\nabc\r\n\$-1\r\n\$-1\r\n"
        c.send(cmd("EXISTS", "s", "nope", "l", "s")) shouldBe ":3\r\n"
        c.send(cmd("STRLEN", "s")) shouldBe ":3\r\n"
        c.send(cmd("TYPE", "l")) shouldBe "+list\r\n"
        // A key longer than the probe's first array.
        val long = "k".repeat(300)
        c.send(cmd("SET", long, "v")) shouldBe "+OK\r\n"
        c.send(cmd("GET", long)) shouldBe "\$1\r\nv\r\n"
        c.send(cmd("SET", "t", "v", "PX", "1")) shouldBe "+OK\r\n"
        Thread.sleep(5)
        service.execute { service.store.expiringKeys() } shouldBe 1
        c.send(cmd("GET", "t")) shouldBe "\$-1\r\n"
        service.execute { service.store.expiringKeys() } shouldBe 0
        c.send(cmd("EXISTS", "t")) shouldBe ":0\r\n"
    }
})
