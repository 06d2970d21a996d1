package io.netpoll.dispatcher

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.longs.shouldBeLessThan
import io.netpoll.poller.fd.NetFD
import io.netpoll.poller.sys.Sys
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import java.nio.ByteBuffer

/**
 * What a worker's poll makes ready is run by that worker (Go's findRunnable after netpoll), not
 * handed to a second worker through wakep: with one P, a ping-pong through the poller parks no
 * worker per round trip. Its own JVM (surefire forks per spec), so no other dispatcher polls.
 */
class PollHandoffSpec : FunSpec({
    test("with one P, the worker that polls runs the ready coroutine itself") {
        NetpollDispatcher(parallelism = 1, name = "handoff").use { d ->
            val (a, b) = NetFD.socketPair(Sys.SOCK_STREAM).let { it[0] to it[1] }
            val echo = Thread {
                val buf = ByteBuffer.allocate(64)
                while (b.read(buf.clear()) > 0) {
                    b.write(buf.flip())
                }
            }.apply { start() }
            val out = ByteBuffer.allocateDirect(8)
            val back = ByteBuffer.allocateDirect(8)
            suspend fun roundTrip() {
                a.write(out.clear())
                back.clear()
                while (back.hasRemaining()) {
                    a.readSuspending(back)
                }
            }
            runBlocking {
                withTimeout(30_000) {
                    withContext(d) {
                        repeat(200) { roundTrip() }
                        val parksBefore = d.stats().parks
                        val rounds = 2_000L
                        repeat(rounds.toInt()) { roundTrip() }
                        val parks = d.stats().parks - parksBefore
                        println("one P, $rounds round trips through the poller: $parks worker parks")
                        parks shouldBeLessThan rounds / 10
                    }
                }
            }
            a.shutdownOutput()
            echo.join()
            a.close()
            b.close()
        }
    }
})
