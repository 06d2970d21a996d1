package io.netpoll.net

import io.netpoll.net.internal.Deadlines
import io.netpoll.poller.fd.NetFD
import java.io.Closeable
import java.io.IOException
import java.net.SocketAddress
import java.time.Instant
import kotlin.time.Duration

/**
 * What every net-kt socket has, whatever its kind ([Conn], [Listener], [PacketConn]): a
 * [NetFD], deadlines, its local address and an idempotent close.
 *
 * Deadlines follow Go's SetDeadline: absolute, they apply to calls in progress and to later ones;
 * a deadline in the past fails calls at once with [io.netpoll.DeadlineExceededException]; setting
 * or moving one while a call waits takes effect on that call; null removes it. Setting a deadline
 * on a closed socket throws [java.nio.channels.ClosedChannelException].
 */
sealed class Endpoint(@get:JvmSynthetic internal val fd: NetFD) : Closeable {
    /** The bound local address. */
    @get:Throws(IOException::class)
    val localAddress: SocketAddress
        get() = fd.localAddress()

    val isOpen: Boolean
        get() = fd.isOpen

    /** Read and write deadline together; null = none. */
    @Throws(IOException::class)
    fun setDeadline(deadline: Instant?) {
        if (deadline == null) fd.clearDeadline() else fd.setDeadline(Deadlines.nanoTimeOf(deadline))
    }

    @Throws(IOException::class)
    fun setReadDeadline(deadline: Instant?) {
        if (deadline == null) fd.clearReadDeadline() else fd.setReadDeadline(Deadlines.nanoTimeOf(deadline))
    }

    @Throws(IOException::class)
    fun setWriteDeadline(deadline: Instant?) {
        if (deadline == null) fd.clearWriteDeadline() else fd.setWriteDeadline(Deadlines.nanoTimeOf(deadline))
    }

    /**
     * Read and write deadline [timeout] from now (a negative or zero timeout has already passed,
     * [Duration.INFINITE] is never). The same as the [Instant] form, but it allocates nothing, so
     * it suits a deadline moved on every request.
     */
    @Throws(IOException::class)
    fun setDeadline(timeout: Duration) {
        fd.setDeadline(Deadlines.nanoTimeAfter(timeout))
    }

    @Throws(IOException::class)
    fun setReadDeadline(timeout: Duration) {
        fd.setReadDeadline(Deadlines.nanoTimeAfter(timeout))
    }

    @Throws(IOException::class)
    fun setWriteDeadline(timeout: Duration) {
        fd.setWriteDeadline(Deadlines.nanoTimeAfter(timeout))
    }

    /**
     * Read and write deadline as a [System.nanoTime] value: the allocation-free form for Java
     * callers (`System.nanoTime() + timeoutNanos`).
     */
    @Throws(IOException::class)
    fun setDeadlineNanos(nanoTime: Long) {
        fd.setDeadline(nanoTime)
    }

    @Throws(IOException::class)
    fun setReadDeadlineNanos(nanoTime: Long) {
        fd.setReadDeadline(nanoTime)
    }

    @Throws(IOException::class)
    fun setWriteDeadlineNanos(nanoTime: Long) {
        fd.setWriteDeadline(nanoTime)
    }

    /**
     * Closes the socket; idempotent. Calls blocked on it (suspended, parked or pending futures)
     * end with [java.nio.channels.AsynchronousCloseException]; later calls throw
     * [java.nio.channels.ClosedChannelException].
     */
    override fun close() {
        fd.close()
    }

    override fun toString(): String = "${javaClass.simpleName}[$fd]"
}
