package io.netpoll.net

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeInstanceOf
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.future.await
import kotlinx.coroutines.withContext
import java.net.InetSocketAddress
import java.net.SocketAddress
import java.net.UnixDomainSocketAddress
import java.nio.ByteBuffer
import java.nio.channels.UnsupportedAddressTypeException
import java.nio.file.Files
import java.util.concurrent.ExecutionException
import kotlin.time.Duration.Companion.seconds

/** Dialling a [SocketAddress] instead of a network and an address string. */
class DialAddressSpec : FunSpec({
    /** Dials with [dial], then checks that bytes reach the connection [ln] accepts. */
    suspend fun roundTrip(ln: Listener, dial: suspend () -> Conn) {
        net {
            val accepted = async { ln.accept() }
            dial().use { c ->
                c.write(bytes("hi")) shouldBe 2
                accepted.await().use { s ->
                    val b = ByteBuffer.allocate(2)
                    s.readFully(b)
                    b.text() shouldBe "hi"
                }
            }
        }
    }

    test("an InetSocketAddress dials over TCP in the suspend, blocking and future forms") {
        val ln = Net.listen("tcp", "127.0.0.1:0")
        val to = ln.localAddress
        roundTrip(ln) { Net.dial(to) }
        roundTrip(ln) { Net.dial(to, timeout = 5.seconds) }
        roundTrip(ln) { withContext(Dispatchers.IO) { Net.dialBlocking(to) } }
        roundTrip(ln) { withContext(Dispatchers.IO) { Net.dialBlocking(to, java.time.Duration.ofSeconds(5)) } }
        roundTrip(ln) { Net.dialAsync(to).await() }
        ln.close()
    }

    test("an unresolved InetSocketAddress is looked up, as a host name in the string form is") {
        val ln = Net.listen("tcp", "127.0.0.1:0")
        roundTrip(ln) { Net.dial(InetSocketAddress.createUnresolved("localhost", ln.port)) }
        roundTrip(ln) { Net.dialAsync(InetSocketAddress.createUnresolved("localhost", ln.port)).await() }
        ln.close()
    }

    test("a UnixDomainSocketAddress dials the socket at that path") {
        val dir = Files.createTempDirectory("netkt")
        val path = dir.resolve("dial.sock")
        val ln = Net.listen("unix", path.toString())
        roundTrip(ln) { Net.dial(UnixDomainSocketAddress.of(path)) }
        roundTrip(ln) { withContext(Dispatchers.IO) { Net.dialBlocking(UnixDomainSocketAddress.of(path)) } }
        ln.close()
        Files.delete(dir)
    }

    test("another kind of SocketAddress is an UnsupportedAddressTypeException; the future form fails its future") {
        val odd = object : SocketAddress() {}
        net {
            shouldThrow<UnsupportedAddressTypeException> { Net.dial(odd) }
            shouldThrow<UnsupportedAddressTypeException> { Net.dialBlocking(odd) }
            val f = Net.dialAsync(odd)
            shouldThrow<ExecutionException> { f.get() }.cause.shouldBeInstanceOf<UnsupportedAddressTypeException>()
        }
    }
})
