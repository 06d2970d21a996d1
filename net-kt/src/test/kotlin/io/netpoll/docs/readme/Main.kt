package io.netpoll.docs.readme

import io.netpoll.dispatcher.Netpoll
import io.netpoll.net.*
import kotlinx.coroutines.*
import java.net.InetSocketAddress
import java.nio.ByteBuffer
import java.nio.channels.ClosedChannelException
import java.time.Instant
import kotlin.time.Duration.Companion.seconds

fun main() = runBlocking(Dispatchers.Netpoll) {
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
