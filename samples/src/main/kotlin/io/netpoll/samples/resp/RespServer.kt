package io.netpoll.samples.resp

import io.netpoll.net.Conn
import io.netpoll.samples.server.ServerRuntime
import io.netpoll.samples.server.TcpServer
import kotlinx.coroutines.Job
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import java.nio.ByteBuffer

/**
 * The RESP server: one coroutine per connection running read → [RespSession.process] → write.
 *
 * The input buffer starts at [INITIAL_INPUT_BYTES] and doubles only while a command that does not
 * fit is actually arriving, so a client declaring a 512 MiB bulk costs memory in proportion to
 * what it sends; it drops back to the initial size once such a command has been consumed. Replies of a batch leave in one write once the input holds no further complete
 * command. A subscriber's messages are written by a second coroutine draining its outbox; the
 * connection coroutine stops writing once the outbox exists, so the two never interleave.
 * Keys with a TTL are also deleted actively, [EXPIRE_CYCLE_MILLIS] apart, on the dispatcher's timers.
 */
object RespServer {
    const val DEFAULT_ADDRESS = "127.0.0.1:6380"
    private const val INITIAL_INPUT_BYTES = 16 * 1024
    private const val EXPIRE_CYCLE_MILLIS = 100L
    private const val EXPIRE_KEYS_PER_CYCLE = 1000

    /** Starts a RESP server; [extraInfo] adds lines to INFO's `# Netpoll` section (the mixed sample). */
    fun start(
        runtime: ServerRuntime,
        address: String,
        stats: Boolean = false,
        maxBulkBytes: Long = RespParser.DEFAULT_MAX_BULK_BYTES,
        outboxMessages: Int = RespSession.DEFAULT_OUTBOX_MESSAGES,
        extraInfo: () -> String = { "" },
    ): Pair<TcpServer, RespService> {
        lateinit var service: RespService
        val server = TcpServer("resp", runtime, address) { c -> serve(c, service, outboxMessages) }
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

    private suspend fun TcpServer.serve(c: Conn, service: RespService, outboxMessages: Int) = coroutineScope {
        val session = RespSession(service, outboxMessages)
        var input = ByteBuffer.allocateDirect(INITIAL_INPUT_BYTES)
        var drain: Job? = null
        service.connectedClients.incrementAndGet()
        service.totalConnections.incrementAndGet()
        try {
            var next = RespSession.NEED_INPUT
            while (next != RespSession.CLOSE) {
                if (next == RespSession.NEED_INPUT) {
                    if (!input.hasRemaining()) input = grow(input)
                    if (c.read(input) < 0) break
                }
                input.flip()
                next = session.process(input)
                input.compact()
                // A big command has been consumed: give its memory back.
                if (input.position() == 0 && input.capacity() > INITIAL_INPUT_BYTES) {
                    input = ByteBuffer.allocateDirect(INITIAL_INPUT_BYTES)
                }
                val out = session.out
                if (out.size > 0) {
                    c.write(out.buffer.flip())
                    out.clear()
                }
                val box = session.outbox
                if (box != null && drain == null) {
                    drain = launch {
                        try {
                            for (m in box) c.write(ByteBuffer.wrap(m))
                        } catch (e: OutboxFullException) {
                            c.close()
                        }
                    }
                }
                if (draining && next == RespSession.NEED_INPUT) break
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
