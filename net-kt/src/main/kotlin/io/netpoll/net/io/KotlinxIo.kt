package io.netpoll.net.io

import io.netpoll.net.StreamConn
import kotlinx.io.Buffer
import kotlinx.io.RawSink
import kotlinx.io.RawSource
import kotlinx.io.readAtMostTo
import kotlinx.io.transferFrom
import java.nio.ByteBuffer

/**
 * kotlinx-io over a stream connection ([io.netpoll.net.Conn] or [io.netpoll.net.tls.TlsConn]):
 * code written against kotlinx-io's `Source` and `Sink` reads and writes the socket with
 * `conn.asRawSource().buffered()` and `conn.asRawSink().buffered()`.
 *
 * kotlinx-io's streams are blocking, so these are the connection's blocking calls
 * ([StreamConn.readBlocking], [StreamConn.writeBlocking]): each parks the calling thread until the
 * socket is ready, with the connection's deadlines, errors and interrupt handling. Use them on a
 * thread that may block (a virtual thread, `Dispatchers.IO`), not on a dispatcher's event-loop
 * threads. Closing either one closes the connection, as a [java.net.Socket]'s streams do.
 *
 * kotlinx-io is an optional dependency of netpoll-net: add `org.jetbrains.kotlinx:kotlinx-io-core`
 * to use these; nothing else in netpoll-net loads it.
 */
fun StreamConn.asRawSource(): RawSource = ConnRawSource(this)

/** See [asRawSource]: a sink whose every write reaches the socket before it returns (no buffer of its own). */
fun StreamConn.asRawSink(): RawSink = ConnRawSink(this)

/** Chunk size of one socket call; each source or sink holds one direct buffer of it. */
private const val CHUNK = 16 * 1024

private class ConnRawSource(private val conn: StreamConn) : RawSource {
    private val chunk: ByteBuffer = ByteBuffer.allocateDirect(CHUNK)

    override fun readAtMostTo(sink: Buffer, byteCount: Long): Long {
        require(byteCount >= 0) { "byteCount < 0: $byteCount" }
        if (byteCount == 0L) {
            return 0L
        }
        chunk.clear().limit(minOf(byteCount, CHUNK.toLong()).toInt())
        val n = conn.readBlocking(chunk)
        if (n < 0) {
            return -1L
        }
        sink.transferFrom(chunk.flip())
        return n.toLong()
    }

    override fun close() {
        conn.close()
    }
}

private class ConnRawSink(private val conn: StreamConn) : RawSink {
    private val chunk: ByteBuffer = ByteBuffer.allocateDirect(CHUNK)

    override fun write(source: Buffer, byteCount: Long) {
        require(byteCount in 0..source.size) { "byteCount $byteCount not in 0..${source.size}" }
        var left = byteCount
        while (left > 0) {
            chunk.clear().limit(minOf(left, CHUNK.toLong()).toInt())
            source.readAtMostTo(chunk)
            chunk.flip()
            left -= chunk.remaining()
            conn.writeBlocking(chunk)
        }
    }

    override fun flush() {
        // Nothing is held back: every write has reached the socket.
    }

    override fun close() {
        conn.close()
    }
}
