package io.netpoll.samples.resp

import io.netpoll.net.tls.TlsConfig
import io.netpoll.samples.server.ServerConn
import io.netpoll.samples.server.ServerRuntime
import io.netpoll.samples.server.TcpServer
import io.netpoll.samples.server.Timeout
import kotlinx.coroutines.Job
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeoutOrNull
import java.nio.ByteBuffer

/**
 * The RESP server: one coroutine per connection running read → [RespSession.process] → write.
 *
 * The input buffer starts at [INITIAL_INPUT_BYTES] and doubles only while a command that does not
 * fit is actually arriving, so a client declaring a 512 MiB bulk costs memory in proportion to
 * what it sends; it drops back to the initial size once such a command has been consumed.
 * Replies of a batch leave in one write once the input holds no further complete command.
 *
 * A subscriber's replies and messages are written by a second coroutine draining its [Outbox],
 * everything queued in one write; the connection coroutine stops writing once the outbox exists,
 * so the two never interleave. When the
 * connection ends in order (QUIT, a protocol error, end of input, shutdown) the outbox is closed
 * and what it holds is still written before the socket closes, within one write timeout.
 *
 * Output is bounded for every client: a batch flushes at [RespWriter.flushThresholdBytes], the
 * connection stops reading while its write is blocked, and every write (a batch of replies or of
 * outbox bytes) carries a write deadline `replyWriteTimeoutMillis` ahead — a client that stopped
 * reading its replies is disconnected, and nobody else waits for it. A subscriber's outbox is
 * also bounded in bytes (`outboxBytes`, 32 MiB by default as Redis's pubsub hard limit).
 *
 * Shutdown: a connection between commands closes at once; one holding part of a command keeps
 * reading until the command is complete (or the grace period ends), answers it and closes.
 * Keys with a TTL are also deleted actively, [EXPIRE_CYCLE_MILLIS] apart, on the dispatcher's timers.
 */
object RespServer {
    const val DEFAULT_ADDRESS = "127.0.0.1:6380"
    private const val INITIAL_INPUT_BYTES = 16 * 1024
    private const val EXPIRE_CYCLE_MILLIS = 100L
    private const val EXPIRE_KEYS_PER_CYCLE = 1000
    const val DEFAULT_REPLY_WRITE_TIMEOUT_MILLIS = 10_000L

    /** Starts a RESP server; [extraInfo] adds lines to INFO's `# Netpoll` section (the mixed sample). */
    fun start(
        runtime: ServerRuntime,
        address: String,
        stats: Boolean = false,
        maxBulkBytes: Long = RespParser.DEFAULT_MAX_BULK_BYTES,
        outboxBytes: Long = RespSession.DEFAULT_OUTBOX_BYTES,
        replyWriteTimeoutMillis: Long = DEFAULT_REPLY_WRITE_TIMEOUT_MILLIS,
        extraInfo: () -> String = { "" },
        tls: TlsConfig? = null,
    ): Pair<TcpServer, RespService> {
        lateinit var service: RespService
        // Shared by the connections: a deadline per reply batch, allocating nothing.
        val replyWriteTimeout = Timeout(replyWriteTimeoutMillis)
        val server = TcpServer("resp", runtime, address, tls = tls) { sc -> serve(sc, service, outboxBytes, replyWriteTimeout) }
        service = RespService(maxBulkBytes, server.port) { runtime.statsLines() + extraInfo() }
        server.background {
            while (true) {
                delay(EXPIRE_CYCLE_MILLIS)
                service.execute { service.store.expireDue(EXPIRE_KEYS_PER_CYCLE) }
            }
        }
        if (stats) server.background { statsLines(server, service) }
        return server.start() to service
    }

    private suspend fun TcpServer.serve(sc: ServerConn, service: RespService, outboxBytes: Long, replyWriteTimeout: Timeout) =
        coroutineScope {
            val c = sc.conn
            // A publisher overflowing the outbox drops the client at once, as Redis does.
            val session = RespSession(service, outboxBytes) { c.close() }
            var input = ByteBuffer.allocateDirect(INITIAL_INPUT_BYTES)
            var drain: Job? = null
            service.connectedClients.incrementAndGet()
            service.totalConnections.incrementAndGet()
            try {
                var next = RespSession.NEED_INPUT
                while (next != RespSession.CLOSE) {
                    if (next == RespSession.NEED_INPUT) {
                        // Bytes left after compact are the start of a command: a request under way.
                        if (!sc.prepareRead(input.position() > 0, Timeout.NO_DEADLINE)) break
                        if (!input.hasRemaining()) input = grow(input)
                        if (sc.read(input) < 0) break
                    }
                    input.flip()
                    next = session.process(input)
                    // Nothing consumed (a command still arriving): keep the bytes where they are
                    // rather than copy the whole command on every read.
                    if (input.position() == 0) input.position(input.limit()).limit(input.capacity()) else input.compact()
                    // A big command has been consumed: give its memory back.
                    if (input.position() == 0 && input.capacity() > INITIAL_INPUT_BYTES) {
                        input = ByteBuffer.allocateDirect(INITIAL_INPUT_BYTES)
                    }
                    val out = session.out
                    if (out.size > 0) {
                        c.setWriteDeadlineNanos(replyWriteTimeout.deadline())
                        sc.write(out.buffer.flip())
                        out.clear()
                    }
                    val box = session.outbox
                    if (box != null && drain == null) {
                        drain = launch {
                            while (true) {
                                val batch = box.next() ?: break
                                c.setWriteDeadlineNanos(replyWriteTimeout.deadline())
                                sc.write(batch)
                            }
                        }
                    }
                }
                // Ended in order: the outbox's last replies (QUIT's +OK, a protocol error) are owed.
                drain?.let {
                    session.close()
                    withTimeoutOrNull(replyWriteTimeout.millis) { it.join() }
                }
            } finally {
                session.close()
                drain?.cancel()
                service.connectedClients.decrementAndGet()
            }
        }

    private fun grow(input: ByteBuffer): ByteBuffer {
        val bigger = ByteBuffer.allocateDirect(input.capacity() * 2)
        input.flip()
        bigger.put(input)
        return bigger
    }

    private suspend fun statsLines(server: TcpServer, service: RespService) {
        var last = service.execute { service.commandsProcessed }
        while (true) {
            delay(1000)
            val now = service.execute { service.commandsProcessed }
            System.err.println("resp: connections=${server.connections} commands_per_sec=${now - last} commands=$now")
            last = now
        }
    }
}
