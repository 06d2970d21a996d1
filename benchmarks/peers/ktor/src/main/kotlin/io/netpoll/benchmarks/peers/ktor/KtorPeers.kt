// `java -jar peers-ktor.jar echo|resp --addr HOST:PORT`: ktor-network raw sockets, the selector on
// Dispatchers.IO as Ktor sets it up, one coroutine per connection on Dispatchers.Default.
package io.netpoll.benchmarks.peers.ktor

import io.ktor.network.selector.SelectorManager
import io.ktor.network.sockets.InetSocketAddress
import io.ktor.network.sockets.Socket
import io.ktor.network.sockets.aSocket
import io.netpoll.benchmarks.peers.Keyspace
import io.netpoll.benchmarks.peers.PeerArgs
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking

fun main(argv: Array<String>) {
    val args = PeerArgs.parse(argv).plaintextOnly("ktor")
    val keys = Keyspace()
    val connection: suspend (Socket) -> Unit = when (args.server()) {
        "echo" -> { socket -> serveEcho(socket) }
        "resp" -> { socket -> serveResp(socket, keys) }
        else -> throw IllegalArgumentException("unknown server ${args.server()} (ktor serves echo and resp)")
    }
    runBlocking {
        val selector = SelectorManager(Dispatchers.IO)
        val address = args.address()
        val server = aSocket(selector).tcp().bind(address.hostString, address.port) { backlogSize = 4096 }
        val bound = server.localAddress as InetSocketAddress
        args.announce("ktor", java.net.InetSocketAddress(bound.hostname, bound.port))
        while (true) {
            val socket = server.accept()
            launch(Dispatchers.Default) {
                socket.use {
                    try {
                        connection(it)
                    } catch (e: Exception) {
                        // The peer reset or spoke garbage: this connection ends, the server goes on.
                    }
                }
            }
        }
    }
}
