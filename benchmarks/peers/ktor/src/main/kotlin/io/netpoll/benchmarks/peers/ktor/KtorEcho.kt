package io.netpoll.benchmarks.peers.ktor

import io.ktor.network.sockets.Socket
import io.ktor.network.sockets.openReadChannel
import io.ktor.network.sockets.openWriteChannel
import io.ktor.utils.io.readAvailable
import io.ktor.utils.io.writeFully
import java.nio.ByteBuffer

/** Writes back whatever it reads through one 4 KiB buffer, flushing after each read. */
suspend fun serveEcho(socket: Socket) {
    val input = socket.openReadChannel()
    val output = socket.openWriteChannel(autoFlush = false)
    val buf = ByteBuffer.allocate(4096)
    while (input.readAvailable(buf.clear()) > 0) {
        output.writeFully(buf.flip())
        output.flush()
    }
}
