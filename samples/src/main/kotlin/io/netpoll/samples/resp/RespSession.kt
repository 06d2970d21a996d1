package io.netpoll.samples.resp

import java.nio.ByteBuffer

/**
 * One client's protocol state, independent of the socket: [process] takes the bytes read so far
 * and leaves replies in [out]; the connection loop ([RespServer]) does the I/O.
 *
 * Pipelining: [process] runs every complete command in the input before returning, so a batch of
 * N pipelined commands costs one read and one write. A protocol error is answered the way Redis
 * does (`-ERR Protocol error: ...`) and ends the connection.
 *
 * Pub/sub: once the client subscribes, replies and published messages share one [outbox]
 * (filled under the service's monitor, so their order is the order of events), drained by the
 * connection's writer in batches. When the bytes queued and not yet written would pass
 * [outboxBytes] (a slow client), the outbox closes and [dropClient] runs, like Redis's
 * client-output-buffer-limit for pubsub (hard limit 32 MiB).
 */
class RespSession(
    val service: RespService,
    private val outboxBytes: Long = DEFAULT_OUTBOX_BYTES,
    private val dropClient: () -> Unit = {},
) : PubSub.Subscriber {
    val args = RespParser(service.maxBulkBytes)
    val out = RespWriter()
    val store: Store get() = service.store

    /** Looks up keys of read-only commands without allocating (see [value]). */
    internal val probe = KeyProbe()

    /** Channels this client is subscribed to; non-empty means RESP2 subscribe mode. */
    val subscriptions = LinkedHashSet<Key>()

    /** Created by the first SUBSCRIBE; from then on every reply goes through it. */
    var outbox: Outbox? = null
        private set

    /** Set by QUIT: flush [out], then close. */
    var quit = false
        private set

    /**
     * Runs the complete commands at the start of [input] (read mode), consuming them, and says
     * what the connection does next after flushing [out]: [NEED_INPUT] (read more), [MORE_INPUT]
     * ([out] passed its flush threshold with commands still waiting in [input]: call again
     * without reading) or [CLOSE] (QUIT, protocol error).
     */
    fun process(input: ByteBuffer): Int {
        while (true) {
            val status = try {
                args.parse(input)
            } catch (e: RespProtocolException) {
                // A CR or LF quoted from the input would end the error line early: Redis maps them to spaces.
                val message = e.message!!.replace('\r', ' ').replace('\n', ' ')
                reply { error("ERR Protocol error: $message") }
                return CLOSE
            }
            if (status == RespParser.INCOMPLETE) return NEED_INPUT
            if (args.argc == 0) continue
            service.execute {
                service.countCommand()
                run()
            }
            if (quit) return CLOSE
            if (out.size >= out.flushThresholdBytes) return MORE_INPUT
        }
    }

    /** Called once when the connection ends, whatever the reason. */
    fun close() {
        service.execute {
            for (ch in subscriptions) service.pubSub.unsubscribe(ch, this)
            subscriptions.clear()
        }
        outbox?.close()
    }

    /** Publisher side: queues one message for this client. Called under the monitor. */
    override fun deliver(channel: Key, message: ByteArray): Boolean {
        val box = outbox ?: return false
        return box.append {
            arrayHeader(3)
            bulk(MESSAGE)
            bulk(channel.bytes)
            bulk(message)
        }
    }

    /** Appends a reply to [out], or to the outbox in subscribe mode. Called under the monitor. */
    inline fun reply(block: RespWriter.() -> Unit) {
        val box = outbox
        if (box == null) {
            out.block()
        } else {
            box.append(block)
        }
    }

    fun requestQuit() {
        quit = true
    }

    /** Switches to outbox mode, moving replies already in [out] to it so the order holds. */
    fun openOutbox() {
        if (outbox != null) return
        val box = Outbox(outboxBytes, dropClient)
        outbox = box
        if (out.size > 0) {
            box.append { raw(out.buffer.flip()) }
            out.clear()
        }
    }

    private fun run() {
        val cmd = Commands.lookup(args)
        if (cmd == null) {
            reply { error(unknownCommand()) }
            return
        }
        if (!cmd.arityOk(args.argc)) {
            reply { error("ERR wrong number of arguments for '${cmd.name}' command") }
            return
        }
        if (subscriptions.isNotEmpty() && !cmd.allowedWhileSubscribed) {
            reply {
                error(
                    "ERR Can't execute '${cmd.name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / " +
                        "QUIT / RESET are allowed in this context",
                )
            }
            return
        }
        try {
            cmd.handler.run(this)
        } catch (e: CommandError) {
            reply { error(e.message!!) }
        }
    }

    private fun unknownCommand(): String = buildString {
        append("ERR unknown command '").append(printable(0)).append("', with args beginning with: ")
        for (i in 1 until minOf(args.argc, 4)) append('\'').append(printable(i)).append("' ")
    }

    private fun printable(i: Int): String = args.string(i).take(128).replace(Regex("[\\r\\n]"), " ")

    companion object {
        const val NEED_INPUT = 0
        const val MORE_INPUT = 1
        const val CLOSE = 2
        /** Redis's client-output-buffer-limit for pubsub clients: 32 MiB hard. */
        const val DEFAULT_OUTBOX_BYTES = 32L * 1024 * 1024
        private val MESSAGE = "message".toByteArray()
    }
}
