package io.netpoll.net

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.ints.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.kotest.matchers.types.shouldBeInstanceOf
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import java.io.EOFException
import java.net.BindException
import java.net.ConnectException
import java.net.InetSocketAddress
import java.net.SocketException
import java.net.UnknownHostException
import java.nio.ByteBuffer
import java.nio.channels.AsynchronousCloseException
import java.nio.channels.ClosedChannelException

class ConnSpec : FunSpec({
    test("dial, accept, write and read carry bytes both ways; addresses match") {
        net {
            val (ln, c, s) = tcpPair()
            c.write(bytes("ping")) shouldBe 4
            val b = ByteBuffer.allocate(16)
            s.readFully(b.limit(4))
            b.text() shouldBe "ping"
            s.write(bytes("pong"))
            val d = ByteBuffer.allocateDirect(4)
            c.readFully(d)
            d.text() shouldBe "pong"
            c.remoteAddress shouldBe s.localAddress
            s.remoteAddress shouldBe c.localAddress
            (c.remoteAddress as InetSocketAddress).port shouldBe ln.port
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("a read into a full buffer returns 0 without waiting") {
        net {
            val (ln, c, s) = tcpPair()
            c.read(ByteBuffer.allocate(0)) shouldBe 0
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("gathering write sends every buffer in order") {
        net {
            val (ln, c, s) = tcpPair()
            val parts = arrayOf(bytes("a"), ByteBuffer.allocateDirect(3).put("bcd".toByteArray()).flip(), bytes("ef"))
            c.write(*parts) shouldBe 6L
            val b = ByteBuffer.allocate(6)
            s.readFully(b)
            b.text() shouldBe "abcdef"
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("a write of many megabytes completes while the peer reads slowly") {
        net {
            val (ln, c, s) = tcpPair()
            val size = 8 shl 20
            val reader = async {
                val b = ByteBuffer.allocateDirect(64 * 1024)
                var n = 0L
                while (n < size) {
                    b.clear()
                    val r = s.read(b)
                    if (r < 0) break
                    n += r
                }
                n
            }
            c.write(ByteBuffer.allocate(size)) shouldBe size
            reader.await() shouldBe size.toLong()
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("reading after end of stream keeps returning -1") {
        net {
            val (ln, c, s) = tcpPair()
            c.close()
            val b = ByteBuffer.allocate(8)
            repeat(3) { s.read(b) shouldBe -1 }
            shouldThrow<EOFException> { s.readFully(b) }
            listOf(ln, s).forEach { it.close() }
        }
    }

    test("closeWrite: the peer reads end of stream and can still answer") {
        net {
            val (ln, c, s) = tcpPair()
            c.write(bytes("last"))
            c.closeWrite()
            val b = ByteBuffer.allocate(16)
            s.readFully(b.limit(4))
            s.read(b.limit(16)) shouldBe -1
            s.write(bytes("reply"))
            val r = ByteBuffer.allocate(5)
            c.readFully(r)
            r.text() shouldBe "reply"
            shouldThrow<SocketException> { c.write(bytes("x")) }.message shouldContain "Broken pipe"
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("closeRead: our reads see end of stream while writes still reach the peer") {
        net {
            val (ln, c, s) = tcpPair()
            c.closeRead()
            c.read(ByteBuffer.allocate(4)) shouldBe -1
            c.write(bytes("still"))
            val b = ByteBuffer.allocate(5)
            s.readFully(b)
            b.text() shouldBe "still"
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("every call after close throws ClosedChannelException; close is idempotent") {
        net {
            val (ln, c, s) = tcpPair()
            c.close()
            c.close()
            c.isOpen shouldBe false
            shouldThrow<ClosedChannelException> { c.read(ByteBuffer.allocate(1)) }
            shouldThrow<ClosedChannelException> { c.write(bytes("x")) }
            shouldThrow<ClosedChannelException> { c.write(bytes("x"), bytes("y")) }
            shouldThrow<ClosedChannelException> { c.setDeadline(null) }
            shouldThrow<ClosedChannelException> { c.closeWrite() }
            shouldThrow<ClosedChannelException> { c.setNoDelay(true) }
            ln.close()
            shouldThrow<ClosedChannelException> { ln.accept() }
            s.close()
        }
    }

    test("close while a read is suspended ends it with AsynchronousCloseException") {
        net {
            val (ln, c, s) = tcpPair()
            val r = async { runCatching { c.read(ByteBuffer.allocate(8)) } }
            delay(100)
            c.close()
            r.await().exceptionOrNull().shouldBeInstanceOf<AsynchronousCloseException>()
            listOf(ln, s).forEach { it.close() }
        }
    }

    test("close while a write is suspended ends it with AsynchronousCloseException") {
        net {
            val (ln, c, s) = tcpPair()
            fillUntilBlocked(c)
            val w = async { runCatching { c.write(ByteBuffer.allocate(1 shl 20)) } }
            delay(100)
            c.close()
            w.await().exceptionOrNull().shouldBeInstanceOf<AsynchronousCloseException>()
            listOf(ln, s).forEach { it.close() }
        }
    }

    test("close while queued behind another reader ends the queued read with AsynchronousCloseException") {
        net {
            val (ln, c, s) = tcpPair()
            val first = async { runCatching { c.read(ByteBuffer.allocate(8)) } }
            delay(50)
            val second = async { runCatching { c.read(ByteBuffer.allocate(8)) } }
            delay(50)
            c.close()
            first.await().exceptionOrNull().shouldBeInstanceOf<AsynchronousCloseException>()
            second.await().exceptionOrNull().shouldBeInstanceOf<AsynchronousCloseException>()
            listOf(ln, s).forEach { it.close() }
        }
    }

    test("close while queued behind a writer blocked on a full send buffer ends both writes with AsynchronousCloseException") {
        net {
            val (ln, c, s) = tcpPair()
            fillUntilBlocked(c)
            val before = parkedWaiters()
            val first = async { runCatching { c.write(ByteBuffer.allocate(1 shl 20)) } }
            delay(50)
            val second = async { runCatching { c.write(bytes("queued")) } }
            delay(50)
            // The first waits for buffer space in the poller, the second for the write lock.
            parkedWaiters() shouldBe before + 1
            first.isActive shouldBe true
            second.isActive shouldBe true
            c.close()
            first.await().exceptionOrNull().shouldBeInstanceOf<AsynchronousCloseException>()
            second.await().exceptionOrNull().shouldBeInstanceOf<AsynchronousCloseException>()
            listOf(ln, s).forEach { it.close() }
        }
    }

    test("a gathering write larger than the socket buffers waits while the peer does not read and arrives intact once it does") {
        net {
            val (ln, c, s) = tcpPair()
            // Three buffers, 12 MiB in all, heap and direct, each with its own byte pattern.
            val parts = arrayOf(
                ByteBuffer.wrap(ByteArray(4 shl 20) { (it % 251).toByte() }),
                ByteBuffer.allocateDirect(5 shl 20).also { b -> for (i in 0 until b.capacity()) b.put((i % 241).toByte()); b.flip() },
                ByteBuffer.wrap(ByteArray(3 shl 20) { (it % 239).toByte() }),
            )
            val total = parts.sumOf { it.remaining().toLong() }
            val before = parkedWaiters()
            val write = async { c.write(*parts) }
            delay(200)
            // The peer has read nothing: the write is parked on EAGAIN with most bytes unsent.
            write.isActive shouldBe true
            parkedWaiters() shouldBe before + 1
            parts.last().position() shouldBe 0
            val got = ByteBuffer.allocateDirect(total.toInt())
            while (got.hasRemaining()) {
                s.read(got) shouldBeGreaterThan 0
            }
            write.await() shouldBe total
            parts.all { !it.hasRemaining() } shouldBe true
            got.flip()
            for ((k, size, mod) in listOf(Triple(0, 4 shl 20, 251), Triple(1, 5 shl 20, 241), Triple(2, 3 shl 20, 239))) {
                for (i in 0 until size) {
                    if (got.get() != (i % mod).toByte()) {
                        error("buffer $k differs at byte $i")
                    }
                }
            }
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("concurrent readers are served one at a time and each gets its own bytes") {
        net {
            val (ln, c, s) = tcpPair()
            val readers = (1..8).map { async { val b = ByteBuffer.allocate(1); c.readFully(b); b.get(0) } }
            delay(50)
            for (i in 1..8) {
                s.write(ByteBuffer.wrap(byteArrayOf(i.toByte())))
            }
            readers.map { it.await().toInt() }.sorted() shouldBe (1..8).toList()
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("close while accept is suspended ends it with AsynchronousCloseException") {
        net {
            val ln = Net.listen("tcp", "127.0.0.1:0")
            val a = async { runCatching { ln.accept() } }
            delay(100)
            ln.close()
            a.await().exceptionOrNull().shouldBeInstanceOf<AsynchronousCloseException>()
        }
    }

    test("dialling a port nobody listens on throws ConnectException") {
        net {
            val ln = Net.listen("tcp", "127.0.0.1:0")
            val port = ln.port
            ln.close()
            shouldThrow<ConnectException> { Net.dial("tcp", "127.0.0.1:$port") }.message shouldContain "refused"
        }
    }

    test("a reset by the peer is a SocketException carrying the errno text") {
        net {
            val (ln, c, s) = tcpPair()
            s.setLinger(0)
            s.close()
            delay(50)
            val e = shouldThrow<SocketException> { c.read(ByteBuffer.allocate(8)) }
            e.message shouldContain "Connection reset by peer"
            listOf(ln, c).forEach { it.close() }
        }
    }

    test("TCP options: noDelay on by default, linger, keepAlive and buffer sizes apply") {
        net {
            val (ln, c, s) = tcpPair()
            c.fd.getIntOption(io.netpoll.poller.sys.Sys.IPPROTO_TCP, io.netpoll.poller.sys.Sys.TCP_NODELAY) shouldBe 1
            s.fd.getIntOption(io.netpoll.poller.sys.Sys.IPPROTO_TCP, io.netpoll.poller.sys.Sys.TCP_NODELAY) shouldBe 1
            c.setNoDelay(false)
            c.fd.getIntOption(io.netpoll.poller.sys.Sys.IPPROTO_TCP, io.netpoll.poller.sys.Sys.TCP_NODELAY) shouldBe 0
            c.setLinger(3)
            c.fd.linger shouldBe 3
            c.setKeepAlive(true)
            c.fd.getIntOption(io.netpoll.poller.sys.Sys.SOL_SOCKET, io.netpoll.poller.sys.Sys.SO_KEEPALIVE) shouldBe 1
            c.setReadBuffer(64 * 1024)
            c.setWriteBuffer(96 * 1024)
            // Linux doubles the requested size for bookkeeping.
            c.fd.getIntOption(io.netpoll.poller.sys.Sys.SOL_SOCKET, io.netpoll.poller.sys.Sys.SO_RCVBUF) shouldBe 128 * 1024
            c.fd.getIntOption(io.netpoll.poller.sys.Sys.SOL_SOCKET, io.netpoll.poller.sys.Sys.SO_SNDBUF) shouldBe 192 * 1024
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("Go-style addresses: IPv6 literal, empty host, localhost; tcp4/tcp6 restrict families") {
        net {
            val (ln6, c6, s6) = tcpPair("::1")
            (c6.remoteAddress as InetSocketAddress).address.hostAddress shouldContain ":"
            listOf(ln6, c6, s6).forEach { it.close() }

            val any = Net.listen("tcp", ":0")
            val viaEmpty = async { any.accept() }
            Net.dial("tcp4", ":${any.port}").use { viaEmpty.await().close() }
            val viaName = async { any.accept() }
            Net.dial("tcp", "localhost:${any.port}").use { viaName.await().close() }
            any.close()

            val local = Net.listen("tcp", "localhost:0")
            (local.localAddress as InetSocketAddress).address.hostAddress shouldBe "127.0.0.1"
            local.close()
            shouldThrow<IllegalArgumentException> { Net.listen("tcp6", "127.0.0.1:0") }
            shouldThrow<IllegalArgumentException> { Net.dial("tcp4", "[::1]:80") }
        }
    }

    test("misuse: unknown network, malformed address, unknown host, taken port") {
        net {
            shouldThrow<IllegalArgumentException> { Net.listen("sctp", ":0") }.message shouldContain "unknown network"
            shouldThrow<IllegalArgumentException> { Net.listen("udp", ":0") }
            shouldThrow<IllegalArgumentException> { Net.listenPacket("tcp", ":0") }
            shouldThrow<IllegalArgumentException> { Net.dial("tcp", "127.0.0.1") }.message shouldContain "missing port"
            shouldThrow<IllegalArgumentException> { Net.dial("tcp", "::1:80") }.message shouldContain "too many colons"
            shouldThrow<IllegalArgumentException> { Net.dial("tcp", "127.0.0.1:http") }.message shouldContain "invalid port"
            shouldThrow<IllegalArgumentException> { Net.dial("tcp", "127.0.0.1:65536") }
            shouldThrow<IllegalArgumentException> { Net.dial("tcp", "127.0.0.1:80", kotlin.time.Duration.ZERO) }
            shouldThrow<UnknownHostException> { Net.dial("tcp", "no-such-host.invalid:80") }
            val ln = Net.listen("tcp", "127.0.0.1:0")
            shouldThrow<BindException> { Net.listen("tcp", "127.0.0.1:${ln.port}") }
            ln.close()
        }
    }

    test("on Dispatchers.Unconfined a woken read resumes on a Default worker, never on the polling thread") {
        net {
            val (ln, c, s) = tcpPair()
            val resumedOn = async(kotlinx.coroutines.Dispatchers.Unconfined) {
                c.read(ByteBuffer.allocate(1))
                Thread.currentThread().name
            }
            delay(100)
            s.write(bytes("u"))
            resumedOn.await() shouldContain "DefaultDispatcher-worker"
            listOf(ln, c, s).forEach { it.close() }
        }
    }

    test("a unix socket path longer than sun_path is IllegalArgumentException") {
        shouldThrow<IllegalArgumentException> { Net.listen("unix", "/tmp/" + "x".repeat(200)) }
    }

    test("the default backlog is the system's somaxconn") {
        val somaxconn = java.io.File("/proc/sys/net/core/somaxconn").readLines().first().trim().toInt()
        ListenOptions.DEFAULT.backlog shouldBe somaxconn
        shouldThrow<IllegalArgumentException> { ListenOptions(backlog = -1) }
    }

    test("reusePort lets two listeners share a port") {
        net {
            val a = Net.listen("tcp", "127.0.0.1:0", ListenOptions(reusePort = true))
            val b = Net.listen("tcp", "127.0.0.1:${a.port}", ListenOptions(backlog = 16, reusePort = true))
            b.port shouldBe a.port
            a.close()
            b.close()
        }
    }

    test("a server loop echoes for many sequential clients") {
        net {
            val ln = Net.listen("tcp", "127.0.0.1:0")
            val server = launch {
                while (true) {
                    val c = try { ln.accept() } catch (e: AsynchronousCloseException) { break }
                    launch {
                        c.use {
                            val b = ByteBuffer.allocateDirect(1024)
                            while (it.read(b.clear()) > 0) {
                                it.write(b.flip())
                            }
                        }
                    }
                }
            }
            repeat(50) { i ->
                Net.dial("tcp", "127.0.0.1:${ln.port}").use { c ->
                    c.write(bytes("msg$i"))
                    val b = ByteBuffer.allocate("msg$i".length)
                    c.readFully(b)
                    b.text() shouldBe "msg$i"
                }
            }
            ln.close()
            server.join()
        }
    }
})
