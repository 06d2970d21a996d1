package io.netpoll.net

import io.netpoll.poller.fd.NetFD
import java.nio.file.Files
import java.nio.file.Path

/**
 * A listening stream socket (Go's net.Listener / TCPListener / UnixListener) from [Net.listen].
 *
 * [accept] suspends until a connection arrives; [close] ends a suspended accept with
 * [java.nio.channels.AsynchronousCloseException], and later calls throw
 * [java.nio.channels.ClosedChannelException]. A Unix listener removes its socket file on close
 * (Go's unlinkOnClose).
 */
class Listener internal constructor(fd: NetFD, private val unixPath: Path?) : ListenerFacade(fd) {
    private val io = SuspendingFD(fd)

    /** The next connection (Go's Accept); accepted TCP connections have TCP_NODELAY on. */
    suspend fun accept(): Conn = Conn(io.accept())

    override fun close() {
        val wasOpen = fd.isOpen
        fd.close()
        if (wasOpen && unixPath != null) {
            Files.deleteIfExists(unixPath)
        }
    }
}
