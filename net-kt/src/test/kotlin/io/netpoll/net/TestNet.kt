package io.netpoll.net

import io.netpoll.net.internal.Resolver
import io.netpoll.poller.Netpoll
import java.net.InetAddress
import java.net.InetSocketAddress
import java.nio.ByteBuffer
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout

/** Test scaffolding: every net test runs on a real dispatcher with a hard time bound. */
suspend fun <T> net(
    dispatcher: CoroutineDispatcher = Dispatchers.Default,
    bound: Duration = 20.seconds,
    block: suspend CoroutineScope.() -> T,
): T = withContext(dispatcher) { withTimeout(bound) { block() } }

val Endpoint.port: Int
    get() = (localAddress as InetSocketAddress).port

/** A connected loopback TCP pair: (listener, client side, server side). */
suspend fun tcpPair(host: String = "127.0.0.1"): Triple<Listener, Conn, Conn> = coroutineScope {
    val h = if (host.contains(':')) "[$host]" else host
    val ln = Net.listen("tcp", "$h:0")
    val addr = "$h:${ln.port}"
    val server = async { ln.accept() }
    val client = Net.dial("tcp", addr)
    Triple(ln, client, server.await())
}

fun bytes(s: String): ByteBuffer = ByteBuffer.wrap(s.toByteArray())

fun ByteBuffer.text(): String {
    flip()
    val a = ByteArray(remaining())
    get(a)
    return String(a)
}

fun parkedWaiters(): Int = Netpoll.get().waiters()

fun openDescriptors(): Int = Netpoll.get().stats().descriptors()

/** Fills the peer's receive queue and our send queue so that the next write would block. */
suspend fun fillUntilBlocked(c: Conn): Long {
    val chunk = ByteBuffer.allocateDirect(64 * 1024)
    var total = 0L
    c.setWriteDeadline(java.time.Instant.now().plusMillis(300))
    try {
        while (true) {
            chunk.clear()
            total += c.write(chunk)
        }
    } catch (e: io.netpoll.DeadlineExceededException) {
        total += chunk.position()
    }
    c.setWriteDeadline(null)
    return total
}

/** The bytes in [position, limit) as text, for views that are already in read mode. */
fun ByteBuffer.remainingText(): String {
    val a = ByteArray(remaining())
    get(position(), a)
    return String(a)
}

/** Runs [block] with host name lookups done by [lookup] instead of the JDK resolver. */
suspend fun <T> withLookup(lookup: (String) -> Array<InetAddress>, block: suspend () -> T): T {
    val real = Resolver.lookupHost
    Resolver.lookupHost = lookup
    try {
        return block()
    } finally {
        Resolver.lookupHost = real
    }
}
