package io.netpoll.net

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.netpoll.dispatcher.Netpoll
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import java.net.InetSocketAddress
import java.nio.ByteBuffer
import java.nio.channels.ClosedChannelException
import java.time.Instant
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit
import kotlin.time.Duration.Companion.seconds

/**
 * The README's net-kt Kotlin examples, with the README's calls in the README's order; what differs
 * is only what makes them runnable here: `main` takes the `println` it prints with, and the
 * BufferPool fragment is the body of a function. README.md must show the same code.
 */
fun readmeMain(println: (Any?) -> Unit) = runBlocking(Dispatchers.Netpoll) {
    val ln = Net.listen("tcp", "127.0.0.1:0")
    launch {                                               // echo server: one coroutine per connection
        while (true) {
            val c = try { ln.accept() } catch (e: ClosedChannelException) { break }  // ln.close() ends the loop
            launch { c.use { val b = ByteBuffer.allocateDirect(4096); while (it.read(b.clear()) > 0) it.write(b.flip()) } }
        }
    }
    val port = (ln.localAddress as InetSocketAddress).port
    Net.dial("tcp", "localhost:$port", timeout = 2.seconds).use { c ->
        c.setReadDeadline(Instant.now().plusSeconds(5))
        val w = BufWriter(c); w.writeString("hello\n"); w.flush()
        println(BufReader(c).readLine())                   // hello
    }
    ln.close()
}

/** README "Waiting without a buffer": echoes [c] until end of stream, holding a buffer only while reading. */
suspend fun readmePooledEcho(c: Conn) {
    val pool = BufferPool(16 * 1024)
    while (true) {
        c.awaitReadable()                 // idle: no buffer held
        val buf = pool.get()
        try {
            while (true) {
                val n = c.tryRead(buf)
                if (n < 0) return         // end of stream
                if (n == 0) break         // would block: give the buffer back and wait
                c.write(buf.flip()); buf.clear()
            }
        } finally { pool.put(buf) }
    }
}

class ReadmeExamplesSpec : FunSpec({
    test("the net-kt example runs to completion on Dispatchers.Netpoll and prints hello; closing the listener ends the accept loop") {
        val printed = mutableListOf<Any?>()
        CompletableFuture.runAsync { readmeMain { printed += it } }.get(20, TimeUnit.SECONDS)
        printed shouldBe listOf("hello")
    }

    test("the BufferPool example echoes every message and returns at end of stream") {
        net {
            val (ln, c, s) = tcpPair()
            val server = async { readmePooledEcho(s) }
            repeat(20) { i ->
                c.write(bytes("message $i;"))
                val b = ByteBuffer.allocate("message $i;".length)
                c.readFully(b)
                b.text() shouldBe "message $i;"
            }
            c.closeWrite()
            server.await()
            listOf(ln, c, s).forEach { it.close() }
        }
    }
})
