package io.netpoll.net

import io.netpoll.net.internal.ConnInputStream
import io.netpoll.net.internal.ConnOutputStream
import io.netpoll.poller.fd.NetFD
import java.io.EOFException
import java.io.IOException
import java.io.InputStream
import java.io.OutputStream
import java.net.SocketAddress
import java.nio.ByteBuffer
import java.util.concurrent.CompletableFuture
import java.util.concurrent.Executor

/**
 * The Java side of [Conn], [Listener] and [PacketConn]: the same objects, called from code that
 * has no coroutines.
 *
 * - `*Blocking` calls park the calling thread (a virtual thread just unmounts) until the
 *   descriptor is ready; an interrupt ends the wait with [java.io.InterruptedIOException].
 * - `*Async` calls return a [CompletableFuture] completed on their `executor` argument (the common
 *   pool by default), never on the polling thread.
 *
 * Both are NetFD's own loops over the same fdMutex and PollDesc as the suspend calls, so they
 * mix safely with coroutine callers on one socket, have the same errors and deadlines, and need no
 * Kotlin dispatcher: without one the Netpoll's own driver thread polls.
 */
sealed class ConnFacade(fd: NetFD) : Endpoint(fd) {
    /** Bytes read, -1 at end of stream. */
    @Throws(IOException::class)
    fun readBlocking(dst: ByteBuffer): Int = fd.read(dst)

    /** Writes everything remaining in [src]. */
    @Throws(IOException::class)
    fun writeBlocking(src: ByteBuffer): Int = fd.write(src)

    /** Fills [dst]; [EOFException] if the stream ends first. */
    @Throws(IOException::class)
    fun readFullyBlocking(dst: ByteBuffer) {
        while (dst.hasRemaining()) {
            if (fd.read(dst) < 0) {
                throw EOFException("end of stream with ${dst.remaining()} bytes still expected")
            }
        }
    }

    /**
     * Parks until a read would not block, reading nothing ([Conn.awaitReadable] for threads): a
     * thread per connection can then wait without holding a buffer.
     */
    @Throws(IOException::class)
    fun awaitReadableBlocking() {
        fd.awaitReadable()
    }

    fun readAsync(dst: ByteBuffer): CompletableFuture<Int> = fd.readAsync(dst, NetFD.defaultExecutor())

    fun readAsync(dst: ByteBuffer, executor: Executor): CompletableFuture<Int> = fd.readAsync(dst, executor)

    fun writeAsync(src: ByteBuffer): CompletableFuture<Int> = fd.writeAsync(src, NetFD.defaultExecutor())

    fun writeAsync(src: ByteBuffer, executor: Executor): CompletableFuture<Int> = fd.writeAsync(src, executor)

    /** A blocking [InputStream] over this connection; closing it closes the connection. */
    fun asInputStream(): InputStream = ConnInputStream(fd)

    /** A blocking [OutputStream] over this connection (unbuffered); closing it closes the connection. */
    fun asOutputStream(): OutputStream = ConnOutputStream(fd)
}

sealed class ListenerFacade(fd: NetFD) : Endpoint(fd) {
    @Throws(IOException::class)
    fun acceptBlocking(): Conn = Conn.of(fd.accept())

    @JvmOverloads
    fun acceptAsync(executor: Executor = NetFD.defaultExecutor()): CompletableFuture<Conn> {
        val accept = fd.acceptAsync(executor)
        val conn = accept.thenApply { Conn.of(it) }
        // Withdrawn with the returned future (cancel, orTimeout), as NetFD's own futures are: the
        // next connection stays queued; one accepted just before, which nobody can receive now,
        // is closed.
        conn.whenComplete { _, err ->
            if (err != null && !accept.cancel(false)) {
                accept.thenAccept { it.close() }
            }
        }
        return conn
    }
}

sealed class PacketConnFacade(fd: NetFD) : Endpoint(fd) {
    /** One datagram into [dst]; returns the sender. */
    @Throws(IOException::class)
    fun readFromBlocking(dst: ByteBuffer): SocketAddress = fd.recvFrom(dst)

    @Throws(IOException::class)
    fun writeToBlocking(src: ByteBuffer, to: SocketAddress): Int = fd.sendTo(src, to)

    @JvmOverloads
    fun readFromAsync(dst: ByteBuffer, executor: Executor = NetFD.defaultExecutor()): CompletableFuture<SocketAddress> =
        fd.recvFromAsync(dst, executor)

    @JvmOverloads
    fun writeToAsync(src: ByteBuffer, to: SocketAddress, executor: Executor = NetFD.defaultExecutor()): CompletableFuture<Int> =
        fd.sendToAsync(src, to, executor)
}
