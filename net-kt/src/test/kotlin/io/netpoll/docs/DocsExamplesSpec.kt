package io.netpoll.docs

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldContain
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import io.netpoll.dispatcher.SchedStats
import io.netpoll.net.bytes
import io.netpoll.net.net
import io.netpoll.net.tcpPair
import io.netpoll.net.text
import io.netpoll.testing.TestCerts
import kotlinx.coroutines.async
import java.io.ByteArrayOutputStream
import java.io.PrintStream
import java.nio.ByteBuffer
import java.nio.file.Files
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit
import io.netpoll.docs.readme.main as readmeMain
import io.netpoll.docs.readme.printed as readmePrinted

/**
 * Runs every code example of the documentation. The examples are the files of this package (and
 * its Java twin), each a docs code block verbatim; [DocsSpec] checks that the docs still show
 * exactly this code.
 */
class DocsExamplesSpec : FunSpec({
    beforeTest { printed.clear(); readmePrinted.clear() }

    test("README's Kotlin example runs an echo server and a client on Dispatchers.Netpoll and prints hello") {
        CompletableFuture.runAsync { readmeMain() }.get(20, TimeUnit.SECONDS)
        readmePrinted shouldBe listOf("hello")
    }

    test("README's Java example carries ping there and back and prints it") {
        stdoutOf { PingPong.main(arrayOf()) }.lines() shouldContain "ping"
    }

    test("architecture.md's NetFD example reads 2 bytes, then 1 through a future") {
        stdoutOf { NetFDTour.run() }.lines() shouldContain "2 then 1"
    }

    test("net.md's BufferPool example echoes every message and returns at end of stream") {
        net {
            val (ln, c, s) = tcpPair()
            val server = async { echo(s) }
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

    test("tls.md's example negotiates http/1.1 and greets over TLS").config(enabled = TestCerts.available) {
        CompletableFuture.runAsync {
            greetOverTls(TestCerts.file("ec.pem"), TestCerts.file("ec.key"), TestCerts.ca)
        }.get(30, TimeUnit.SECONDS)
        printed shouldBe listOf("http/1.1", "hello, netpoll")
    }

    test("scheduler.md's examples: a blocking section on Dispatchers.Netpoll, and an own dispatcher closed after use") {
        val file = Files.createTempFile("netpoll-docs", ".bin")
        try {
            Files.write(file, ByteArray(1234))
            handle(file) shouldBe 1234
        } finally {
            Files.delete(file)
        }
        CompletableFuture.runAsync { ownDispatcher() }.get(30, TimeUnit.SECONDS)
        printed[0] shouldBe 49995000
        printed[1].shouldBeInstanceOf<SchedStats>()
    }
})

/** What [block] printed to System.out; the examples in Java print there. */
private fun stdoutOf(block: () -> Unit): String {
    val saved = System.out
    val captured = ByteArrayOutputStream()
    System.setOut(PrintStream(captured, true, Charsets.UTF_8))
    try {
        block()
    } finally {
        System.setOut(saved)
    }
    return captured.toString(Charsets.UTF_8)
}
