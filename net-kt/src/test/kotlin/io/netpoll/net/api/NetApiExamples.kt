package io.netpoll.net.api

import io.netpoll.net.BufReader
import io.netpoll.net.Conn
import io.netpoll.net.Net
import io.netpoll.net.StreamConn
import io.netpoll.net.frames
import io.netpoll.net.io.asRawSink
import io.netpoll.net.io.asRawSource
import io.netpoll.net.lines
import kotlinx.coroutines.flow.filter
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.toList
import kotlinx.io.buffered
import kotlinx.io.readLine
import kotlinx.io.writeString
import java.net.ConnectException
import java.net.InetSocketAddress
import kotlin.time.Duration.Companion.seconds

// The examples of docs/net-api.md, verbatim; NetApiExamplesSpec runs them.

/** docs/net-api.md "Errors": what a refused dial says. */
suspend fun refusedDialMessage(port: Int): String? =
    try {
        Net.dial("tcp", "127.0.0.1:$port").close()
        null
    } catch (e: ConnectException) {
        e.message // dial tcp 127.0.0.1:<port>: Connection refused (connect, errno 111)
    }

/** docs/net-api.md "Dialling a SocketAddress". */
suspend fun dialAddress(address: InetSocketAddress): Conn =
    Net.dial(address, timeout = 2.seconds)

/** docs/net-api.md "A Flow of lines or frames": the non-blank lines until end of stream. */
suspend fun commands(c: StreamConn): List<String> =
    BufReader(c).lines()
        .filter { it.isNotBlank() }
        .toList()

/** docs/net-api.md "A Flow of lines or frames": NUL-terminated frames, as text. */
suspend fun nulFrames(c: StreamConn): List<String> =
    BufReader(c).frames(0)
        .map { it.decodeToString() }
        .toList()

/** docs/net-api.md "kotlinx-io": a request line and its answer over kotlinx-io (blocking calls). */
fun ask(c: Conn, question: String): String? {
    val sink = c.asRawSink().buffered()
    sink.writeString("$question\n")
    sink.flush()
    return c.asRawSource().buffered().readLine()
}
