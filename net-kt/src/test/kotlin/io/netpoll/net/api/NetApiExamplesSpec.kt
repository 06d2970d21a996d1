package io.netpoll.net.api

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldStartWith
import io.netpoll.net.Net
import io.netpoll.net.bytes
import io.netpoll.net.net
import io.netpoll.net.port
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.withContext
import java.net.InetSocketAddress
import java.nio.ByteBuffer

/** Runs the examples of docs/net-api.md ([NetApiExamples.kt], which DocsSpec finds verbatim there). */
class NetApiExamplesSpec : FunSpec({
    test("Errors: a refused dial names the operation, the network and the address") {
        net {
            val port = Net.listen("tcp", "127.0.0.1:0").let { val p = it.port; it.close(); p }
            refusedDialMessage(port)!! shouldStartWith "dial tcp 127.0.0.1:$port: "
        }
    }

    test("Dialling a SocketAddress connects to it") {
        net {
            val ln = Net.listen("tcp", "127.0.0.1:0")
            val accepted = async { ln.accept() }
            dialAddress(ln.localAddress as InetSocketAddress).use { c ->
                c.write(bytes("x")) shouldBe 1
                accepted.await().use { s -> s.read(ByteBuffer.allocate(1)) shouldBe 1 }
            }
            ln.close()
        }
    }

    test("A Flow of lines or frames: lines and NUL-terminated frames until end of stream") {
        net {
            val ln = Net.listen("tcp", "127.0.0.1:0")
            val accepted = async { ln.accept() }
            Net.dial("tcp", "127.0.0.1:${ln.port}").use { c ->
                c.write(bytes("PING\r\n\nSET a 1\nGET a"))
                c.closeWrite()
                accepted.await().use { s -> commands(s) shouldBe listOf("PING", "SET a 1", "GET a") }
            }
            val again = async { ln.accept() }
            Net.dial("tcp", "127.0.0.1:${ln.port}").use { c ->
                c.write(bytes("one\u0000two\u0000\u0000"))
                c.closeWrite()
                again.await().use { s -> nulFrames(s) shouldBe listOf("one", "two", "") }
            }
            ln.close()
        }
    }

    test("kotlinx-io: a question and its answer through RawSink and RawSource") {
        net {
            val ln = Net.listen("tcp", "127.0.0.1:0")
            val accepted = async { ln.accept() }
            val c = Net.dial("tcp", "127.0.0.1:${ln.port}")
            val s = accepted.await()
            val server = async {
                val b = ByteBuffer.allocate(6)
                s.readFully(b)
                s.write(bytes("pong\n"))
                b.flip()
                Charsets.UTF_8.decode(b).toString()
            }
            withContext(Dispatchers.IO) { ask(c, "ping?") } shouldBe "pong"
            server.await() shouldBe "ping?\n"
            listOf(c, s, ln).forEach { it.close() }
        }
    }
})
