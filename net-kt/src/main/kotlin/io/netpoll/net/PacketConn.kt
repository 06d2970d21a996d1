package io.netpoll.net

import io.netpoll.net.internal.SuspendingFD
import io.netpoll.poller.fd.NetFD
import java.net.SocketAddress
import java.nio.ByteBuffer

/**
 * A datagram socket (Go's net.PacketConn / UDPConn) from [Net.listenPacket].
 *
 * [readFrom] receives one datagram (bytes beyond [ByteBuffer.remaining] are discarded, as with
 * recvfrom); [writeTo] sends [ByteBuffer.remaining] bytes as one datagram. Deadlines, close and
 * errors behave as on a [Conn].
 *
 * A write rarely waits: UDP has no flow control, so a datagram the receiver has no room for is
 * dropped, not held, and the send buffer only fills while datagrams queue for a busy network
 * device. Over loopback it never fills (the device hands each datagram on at once), so there a
 * write deadline matters only once it has passed: [writeTo] then fails at once with
 * [io.netpoll.DeadlineExceededException], as every call does after its deadline.
 */
class PacketConn private constructor(fd: NetFD) : PacketConnFacade(fd) {
    private val io = SuspendingFD(fd)

    /** Receives one datagram into [dst] (its position advances); returns the sender. */
    @JvmSynthetic
    suspend fun readFrom(dst: ByteBuffer): SocketAddress = io.recvFrom(dst)

    /** Sends [src] as one datagram to [to]; returns the bytes sent. */
    @JvmSynthetic
    suspend fun writeTo(src: ByteBuffer, to: SocketAddress): Int = io.sendTo(src, to)

    override fun close() {
        super.close()
        io.closed()
    }

    internal companion object {
        @JvmSynthetic
        fun of(fd: NetFD): PacketConn = PacketConn(fd)
    }
}
