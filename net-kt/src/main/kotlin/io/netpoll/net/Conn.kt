package io.netpoll.net

import java.io.IOException
import io.netpoll.poller.fd.NetFD
import java.io.EOFException
import java.net.SocketAddress
import java.nio.ByteBuffer

/**
 * A stream connection (Go's net.Conn / TCPConn / UnixConn), from [Net.dial] or [Listener.accept].
 *
 * Reads and writes suspend the calling coroutine while the socket is not ready and never block a
 * thread. One read and one write may be in progress at a time; further concurrent readers (or
 * writers) queue in order, as in Go. Errors are the JVM's own types:
 * [io.netpoll.DeadlineExceededException] when a deadline passes,
 * [java.nio.channels.ClosedChannelException] after [close],
 * [java.nio.channels.AsynchronousCloseException] when closed during the call,
 * [java.net.SocketException] with the errno text on a reset or other socket error.
 * Cancelling the coroutine ends a blocked call with CancellationException and leaves the
 * connection usable.
 *
 * TCP connections have TCP_NODELAY on (as in Go).
 */
class Conn internal constructor(fd: NetFD) : ConnFacade(fd) {
    private val io = SuspendingFD(fd)

    /** The peer's address. */
    @get:Throws(IOException::class)
    val remoteAddress: SocketAddress
        get() = fd.remoteAddress() ?: throw java.nio.channels.NotYetConnectedException()

    /** Reads into [dst]: bytes read, 0 if [dst] has no room, -1 at end of stream (and after it). */
    suspend fun read(dst: ByteBuffer): Int = io.read(dst)

    /** Writes everything remaining in [src] (Go's Write never returns short without an error). */
    suspend fun write(src: ByteBuffer): Int = io.write(src)

    /** Gathering write (writev) of everything remaining in [srcs]. */
    suspend fun write(vararg srcs: ByteBuffer): Long = io.write(srcs)

    /** Fills [dst] completely (Go's io.ReadFull); [EOFException] if the stream ends first. */
    suspend fun readFully(dst: ByteBuffer) {
        while (dst.hasRemaining()) {
            if (io.read(dst) < 0) {
                throw EOFException("end of stream with ${dst.remaining()} bytes still expected")
            }
        }
    }

    /** Half-close: further reads see end of stream (shutdown SHUT_RD). */
    @Throws(IOException::class)
    fun closeRead() {
        fd.shutdownInput()
    }

    /** Half-close: sends FIN after the queued data; the peer reads end of stream (SHUT_WR). */
    @Throws(IOException::class)
    fun closeWrite() {
        fd.shutdownOutput()
    }

    /** TCP_NODELAY (on by default). */
    @Throws(IOException::class)
    fun setNoDelay(on: Boolean) {
        fd.setNoDelay(on)
    }

    /** SO_KEEPALIVE. */
    @Throws(IOException::class)
    fun setKeepAlive(on: Boolean) {
        fd.setKeepAlive(on)
    }

    /** SO_RCVBUF in bytes (Go's SetReadBuffer). */
    @Throws(IOException::class)
    fun setReadBuffer(bytes: Int) {
        fd.setReceiveBufferSize(bytes)
    }

    /** SO_SNDBUF in bytes (Go's SetWriteBuffer). */
    @Throws(IOException::class)
    fun setWriteBuffer(bytes: Int) {
        fd.setSendBufferSize(bytes)
    }

    /** Go's SetLinger: < 0 off (the default), 0 close sends a reset, > 0 close lingers that many seconds. */
    @Throws(IOException::class)
    fun setLinger(seconds: Int) {
        fd.setLinger(seconds)
    }
}
