package io.netpoll.samples.server

import io.kotest.assertions.withClue
import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.netpoll.samples.Tools
import io.netpoll.samples.Tools.drainToEnd
import io.netpoll.samples.Tools.readN
import java.util.logging.Handler
import java.util.logging.Level
import java.util.logging.LogRecord
import java.util.logging.Logger

/** What TcpServer reports through System.Logger (java.util.logging in these tests). */
class TcpServerSpec : StringSpec({
    "a handler that fails with an unexpected exception is logged with its stack trace and ends only its connection" {
        val records = ArrayList<LogRecord>()
        val capture = object : Handler() {
            override fun publish(r: LogRecord) = synchronized(records) { records += r }
            override fun flush() {}
            override fun close() {}
        }
        val logger = Logger.getLogger(TcpServer::class.java.name)
        logger.addHandler(capture)
        val server = TcpServer("failing", ServerRuntime(ServerRuntime.NETPOLL, null), "127.0.0.1:0") { sc ->
            val b = java.nio.ByteBuffer.allocate(1)
            sc.conn.read(b)
            if (b.get(0) == 'x'.code.toByte()) throw IllegalStateException("handler bug")
            b.flip()
            sc.conn.write(b)
        }.start()
        try {
            Tools.socket(server.port).use { s ->
                s.getOutputStream().write("x".toByteArray())
                s.drainToEnd().first shouldBe Tools.End.EOF
            }
            Tools.socket(server.port).use { s ->
                s.getOutputStream().write("y".toByteArray())
                s.readN(1) shouldBe "y"
            }
            // The connection closes (its finally) before the failed coroutine reaches the handler.
            val until = System.nanoTime() + 2_000_000_000L
            while (synchronized(records) { records.isEmpty() } && System.nanoTime() < until) Thread.sleep(10)
            val r = synchronized(records) {
                withClue("records: $records") { records.size shouldBe 1 }
                records[0]
            }
            println("TcpServerSpec: logged at ${r.level}: ${r.message} (${r.thrown})")
            r.level shouldBe Level.SEVERE
            r.message shouldContain "failing: "
            r.thrown!!.javaClass shouldBe IllegalStateException::class.java
        } finally {
            logger.removeHandler(capture)
            server.shutdown()
        }
    }
})
