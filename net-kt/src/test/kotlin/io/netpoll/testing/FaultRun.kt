package io.netpoll.testing

import io.netpoll.net.Conn
import io.netpoll.net.Net
import io.netpoll.net.StreamConn
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import java.io.IOException
import java.nio.ByteBuffer
import java.nio.channels.ClosedChannelException
import java.time.Instant
import kotlin.time.Duration.Companion.seconds

/**
 * How one connection through a fault went. [established]: the connection got past its set-up (the
 * dial; a TLS handshake); when it did not, reading and writing both ended with the set-up's
 * failure. [owed]: the conversation this connection's amounts are counted in, when it is not the
 * run's (TLS connections, whose records differ per API).
 */
data class Outcome(
    val api: String,
    val read: Ending,
    val write: Ending,
    val verified: Long,
    val millis: Long,
    val established: Boolean = true,
    val owed: Conversation? = null,
)

/**
 * What a client runs over the TCP connection it dials through a [FaultProxy]: that connection
 * itself ([TCP]) or, say, TLS over it. [open] wraps the dialled connection without I/O (a TLS
 * handshake then runs on the first read or write, under the connection's deadline);
 * [established] tells afterwards whether the set-up completed.
 */
class Transport<out C : StreamConn>(
    val name: String,
    val open: (Conn) -> C,
    val established: (StreamConn) -> Boolean = { true },
) {
    override fun toString() = name

    companion object {
        val TCP: Transport<Conn> = Transport("tcp", { it })
    }
}

/** One fault class's figures, printed for the README. */
class FaultReport(val fault: FaultClass, val outcomes: List<Outcome>, val before: Resources, val after: Resources) {
    val verified: Long get() = outcomes.sumOf { it.verified }

    override fun toString(): String {
        val reads = outcomes.groupingBy { it.read }.eachCount()
        val writes = outcomes.groupingBy { it.write }.eachCount()
        return "${fault.name}: ${outcomes.size} connections, $verified verified, reads ended $reads, writes $writes, " +
            "max ${outcomes.maxOf { it.millis }} ms (deadline ${fault.deadlineMillis} ms); before $before, after $after"
    }
}

/** Running clients through a [FaultProxy] under one [FaultClass] and checking what they got and what they left. */
object FaultRun {
    /**
     * Sets [fault]'s faults for [c] on [proxy], runs [connections], checks every outcome, then that
     * the proxy's connections have closed and the process's descriptors, the Netpoll's and the
     * server's connections ([serverConns]) are back at their baseline.
     */
    suspend fun check(
        proxy: FaultProxy,
        fault: FaultClass,
        c: Conversation,
        serverConns: () -> Int,
        connections: suspend CoroutineScope.() -> List<Outcome>,
    ): FaultReport {
        check(proxy.awaitIdle(5_000)) { "connections left over before ${fault.name}: $proxy" }
        val before = Resources.settle(Resources.now(serverConns), serverConns)
        val (toServer, toClient) = fault.faults(c)
        proxy.faults(toServer, toClient)
        val outcomes = coroutineScope { connections() }
        outcomes.forEach { fault.check(it.owed ?: c, it) }
        check(proxy.awaitIdle(10_000)) { "proxy connections still open after ${fault.name}: $proxy" }
        val after = Resources.settle(before, serverConns)
        if (after.fds > before.fds || after.netpoll > before.netpoll || after.serverConns > before.serverConns) {
            throw AssertionError("${fault.name}: resources not back to their baseline: before $before, after $after")
        }
        return FaultReport(fault, outcomes, before, after)
    }

    /**
     * One connection through [proxy]: dial, a deadline for every call [deadlineMillis] ahead, [talk],
     * close; then a read on the closed connection must be [ClosedChannelException].
     */
    suspend fun connection(
        proxy: FaultProxy,
        deadlineMillis: Long,
        api: String,
        verified: () -> Long,
        talk: suspend (Conn) -> Pair<Ending, Ending>,
    ): Outcome = connection(proxy, deadlineMillis, api, verified, Transport.TCP, talk = talk)

    /**
     * One connection through [proxy] over [transport]: dial, a deadline for every call
     * [deadlineMillis] ahead, [talk] over what [Transport.open] makes of the connection, close;
     * then it must say it is closed, and a read on the socket must be [ClosedChannelException].
     * Its amounts are counted in [owed] when given.
     */
    suspend fun <C : StreamConn> connection(
        proxy: FaultProxy,
        deadlineMillis: Long,
        api: String,
        verified: () -> Long,
        transport: Transport<C>,
        owed: Conversation? = null,
        talk: suspend (C) -> Pair<Ending, Ending>,
    ): Outcome {
        val t0 = System.nanoTime()
        val conn = try {
            Net.dial("tcp", "127.0.0.1:${proxy.port()}", timeout = 5.seconds)
        } catch (e: IOException) {
            // A reset at the first byte can beat the dial's own check of the connect (SO_ERROR), as in Go.
            val ending = Ending.of(e)
            return Outcome(api, ending, ending, 0, (System.nanoTime() - t0) / 1_000_000, established = false, owed = owed)
        }
        val c = try {
            transport.open(conn)
        } catch (e: Throwable) {
            conn.close()
            throw e
        }
        val (read, write) = try {
            conn.setDeadline(Instant.now().plusMillis(deadlineMillis))
            talk(c)
        } finally {
            c.close()
        }
        val millis = (System.nanoTime() - t0) / 1_000_000
        if (c.isOpen) throw AssertionError("$api over $transport: still open after close")
        try {
            conn.read(ByteBuffer.allocate(1))
            throw AssertionError("$api over $transport: a read on a closed connection returned")
        } catch (e: ClosedChannelException) {
            // Closed before the call, so not its subclass AsynchronousCloseException (closed during it).
            if (e is java.nio.channels.AsynchronousCloseException) throw AssertionError("$api over $transport: $e after close", e)
        }
        return Outcome(api, read, write, verified(), millis, transport.established(c), owed)
    }

    /** Bytes each echo connection sends: fewer where the proxy writes per byte. */
    fun echoBytes(fault: FaultClass): Int = if (fault.perByte) 16 * 1024 else 192 * 1024

    /**
     * [fault] on echo connections through [proxy], one per driver, all at once, each its own seed,
     * over [transport]. [owed] gives each driver's conversation of [echoBytes] bytes: plain bytes
     * unless said otherwise (TLS: positions in ciphertext, amounts in plaintext, per API). The
     * proxy's faults strike at one position for all connections, so their conversations must
     * agree on it.
     */
    suspend fun echo(
        proxy: FaultProxy,
        fault: FaultClass,
        drivers: List<EchoDriver>,
        serverConns: () -> Int,
        transport: Transport<StreamConn> = Transport.TCP,
        owed: (EchoDriver, Int) -> Conversation = { _, bytes -> Conversation.echo(bytes) },
    ): FaultReport {
        val bytes = echoBytes(fault)
        val conversations = drivers.map { owed(it, bytes) }
        val c = conversations.first()
        conversations.forEach {
            check(it.requestFaultAt == c.requestFaultAt && it.replyFaultAt == c.replyFaultAt) {
                "${fault.name}: the drivers' conversations put the fault at different positions: $conversations"
            }
        }
        return check(proxy, fault, c, serverConns) {
            drivers.mapIndexed { i, d ->
                async {
                    val data = SeededStream(i + 1L)
                    val v = data.verifier()
                    connection(proxy, fault.deadlineMillis, d.api, v::verified, transport, conversations[i]) { conn ->
                        d.run(conn, data, bytes, v)
                    }
                }
            }.awaitAll()
        }
    }
}
