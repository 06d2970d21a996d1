package io.netpoll.benchmarks.peers.ktor

import io.ktor.network.sockets.Socket
import io.ktor.network.sockets.openReadChannel
import io.ktor.network.sockets.openWriteChannel
import io.ktor.utils.io.readAvailable
import io.ktor.utils.io.writeFully
import io.netpoll.benchmarks.peers.ByteBufferReply
import io.netpoll.benchmarks.peers.Keyspace
import io.netpoll.benchmarks.peers.RespParser
import java.nio.ByteBuffer

/** Runs every complete command in what was read and writes all their replies with one flush. */
suspend fun serveResp(socket: Socket, keys: Keyspace) {
    val input = socket.openReadChannel()
    val output = socket.openWriteChannel(autoFlush = false)
    var buf = ByteBuffer.allocate(4096)
    val reply = ByteBufferReply()
    while (true) {
        if (!buf.hasRemaining()) {
            buf = ByteBuffer.allocate(buf.capacity() * 2).put(buf.flip())
        }
        if (input.readAvailable(buf) < 0) {
            return
        }
        buf.flip()
        while (true) {
            val command = RespParser.parse(buf) ?: break
            keys.execute(command, reply)
        }
        buf.compact()
        if (!reply.isEmpty) {
            output.writeFully(reply.flip())
            reply.clear()
            output.flush()
        }
    }
}
