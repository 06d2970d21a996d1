package io.netpoll.net

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.async
import java.net.BindException
import java.net.ConnectException
import java.net.SocketException
import java.net.UnixDomainSocketAddress
import java.nio.ByteBuffer
import java.nio.channels.ClosedChannelException
import java.nio.file.DirectoryNotEmptyException
import java.nio.file.Files

class UnixSpec : FunSpec({
    test("unix socket round trip; the listener removes its socket file on close") {
        net {
            val dir = Files.createTempDirectory("netkt")
            val path = dir.resolve("echo.sock")
            val ln = Net.listen("unix", path.toString())
            Files.exists(path) shouldBe true
            (ln.localAddress as UnixDomainSocketAddress).path shouldBe path
            shouldThrow<BindException> { Net.listen("unix", path.toString()) }
            val server = async {
                ln.accept().use { c ->
                    val b = ByteBuffer.allocate(5)
                    c.readFully(b)
                    c.write(b.flip())
                    c.read(ByteBuffer.allocate(1))
                }
            }
            val c = Net.dial("unix", path.toString())
            c.write(bytes("hello"))
            val b = ByteBuffer.allocate(5)
            c.readFully(b)
            b.text() shouldBe "hello"
            c.closeWrite()
            server.await() shouldBe -1
            c.close()
            ln.close()
            Files.exists(path) shouldBe false
            Files.delete(dir)
        }
    }

    test("dialling a unix path nobody listens on fails") {
        net {
            val dir = Files.createTempDirectory("netkt")
            // ENOENT for a missing file is a SocketException; a stale socket file refuses (ConnectException).
            shouldThrow<SocketException> { Net.dial("unix", dir.resolve("none.sock").toString()) }
            val ln = Net.listen("unix", dir.resolve("stale.sock").toString())
            ln.fd.close()
            shouldThrow<ConnectException> { Net.dial("unix", dir.resolve("stale.sock").toString()) }
            Files.deleteIfExists(dir.resolve("stale.sock"))
            Files.delete(dir)
        }
    }

    test("a socket file that cannot be removed makes close throw its IOException, once; the socket is closed anyway") {
        net {
            val dir = Files.createTempDirectory("netkt")
            val path = dir.resolve("gone.sock")
            val ln = Net.listen("unix", path.toString())
            // Replace the socket file by a non-empty directory: deleteIfExists cannot remove it.
            Files.delete(path)
            Files.createDirectory(path)
            Files.createFile(path.resolve("keep"))
            shouldThrow<DirectoryNotEmptyException> { ln.close() }.message shouldBe path.toString()
            ln.isOpen shouldBe false
            ln.close()
            shouldThrow<ClosedChannelException> { ln.accept() }
            Files.delete(path.resolve("keep"))
            Files.delete(path)
            Files.delete(dir)
        }
    }
})
