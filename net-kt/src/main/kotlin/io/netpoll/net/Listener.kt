package io.netpoll.net

import io.netpoll.net.internal.SuspendingFD
import io.netpoll.poller.fd.NetFD
import java.io.IOException
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
class Listener private constructor(fd: NetFD, private val unixPath: Path?) : ListenerFacade(fd) {
    private val io = SuspendingFD(fd)

    /** The next connection (Go's Accept); accepted TCP connections have TCP_NODELAY on. */
    @JvmSynthetic
    suspend fun accept(): Conn = io.accept()

    /**
     * Closes the socket as [Endpoint.close] does, then, for a Unix listener, removes its socket
     * file. The socket is closed even when the removal fails; that failure is thrown as the
     * [IOException] of [Files.deleteIfExists] (the file's path is in its message), once: a second
     * close does nothing.
     */
    @Throws(IOException::class)
    override fun close() {
        val wasOpen = fd.isOpen
        fd.close()
        io.closed()
        if (wasOpen && unixPath != null) {
            Files.deleteIfExists(unixPath)
        }
    }

    internal companion object {
        @JvmSynthetic
        fun of(fd: NetFD, unixPath: Path?): Listener = Listener(fd, unixPath)
    }
}
