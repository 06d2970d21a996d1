package io.netpoll.net.internal

import io.netpoll.poller.fd.NetFD
import java.io.InputStream
import java.io.OutputStream
import java.nio.ByteBuffer
import java.util.Objects

/**
 * java.io streams over a connection's blocking calls, for Java code written against streams. Like
 * the streams of a [java.net.Socket], closing either one closes the connection.
 */
internal class ConnInputStream(private val fd: NetFD) : InputStream() {
    private val one = ByteArray(1)

    override fun read(): Int = if (read(one, 0, 1) < 0) -1 else one[0].toInt() and 0xff

    override fun read(b: ByteArray, off: Int, len: Int): Int {
        Objects.checkFromIndexSize(off, len, b.size)
        if (len == 0) {
            return 0
        }
        return fd.read(ByteBuffer.wrap(b, off, len))
    }

    override fun close() {
        fd.close()
    }
}

internal class ConnOutputStream(private val fd: NetFD) : OutputStream() {
    override fun write(b: Int) {
        write(byteArrayOf(b.toByte()), 0, 1)
    }

    override fun write(b: ByteArray, off: Int, len: Int) {
        Objects.checkFromIndexSize(off, len, b.size)
        fd.write(ByteBuffer.wrap(b, off, len))
    }

    override fun close() {
        fd.close()
    }
}
