package io.netpoll.samples.resp

import java.io.BufferedInputStream
import java.io.DataInputStream
import java.io.EOFException
import java.net.Socket
import java.util.Random
import java.util.concurrent.TimeUnit

/**
 * An unthrottled publisher and one reading subscriber on plain sockets, against any RESP server
 * (the sample or a real redis-server): [messages] messages of [messageBytes] each, every one
 * carrying its sequence number and seeded content, checked on arrival for order and integrity.
 */
class PubSubLoad(private val port: Int, private val messages: Int, private val messageBytes: Int, seed: Long = 11) {
    class Result(val delivered: Int, val dropped: Boolean, val seconds: Double, val error: String?) {
        fun mbPerSecond(messageBytes: Int) = delivered.toLong() * messageBytes / seconds / 1e6
    }

    /** Content source: message i carries its number, then [messageBytes] - 8 bytes of this from an offset of its own. */
    private val table = ByteArray(1 shl 16).also { Random(seed).nextBytes(it) }
    private val channel = "ch"
    private val header = "*3\r\n\$7\r\nmessage\r\n\$${channel.length}\r\n$channel\r\n\$$messageBytes\r\n".toByteArray()
    private val command = "*3\r\n\$7\r\nPUBLISH\r\n\$${channel.length}\r\n$channel\r\n\$$messageBytes\r\n".toByteArray()

    init {
        require(messageBytes in 9..table.size / 2)
    }

    private fun offset(i: Int) = (i * 7919L % (table.size / 2)).toInt()

    private fun payload(i: Int, into: ByteArray, at: Int) {
        for (b in 0 until 8) into[at + b] = (i.toLong() ushr (56 - 8 * b)).toByte()
        System.arraycopy(table, offset(i), into, at + 8, messageBytes - 8)
    }

    fun run(timeoutSeconds: Long = 60): Result {
        Socket("127.0.0.1", port).use { sub ->
            Socket("127.0.0.1", port).use { pub ->
                sub.soTimeout = TimeUnit.SECONDS.toMillis(timeoutSeconds).toInt()
                pub.soTimeout = sub.soTimeout
                sub.getOutputStream().write("*2\r\n\$9\r\nSUBSCRIBE\r\n\$${channel.length}\r\n$channel\r\n".toByteArray())
                val input = DataInputStream(BufferedInputStream(sub.getInputStream(), 1 shl 20))
                val confirmation = "*3\r\n\$9\r\nsubscribe\r\n\$${channel.length}\r\n$channel\r\n:1\r\n".toByteArray()
                val got = ByteArray(confirmation.size).also { input.readFully(it) }
                check(got.contentEquals(confirmation)) { "subscribe confirmation: ${String(got)}" }

                var replyError: String? = null
                val replies = Thread {
                    val r = DataInputStream(BufferedInputStream(pub.getInputStream(), 1 shl 16))
                    val reply = ByteArray(4)
                    try {
                        for (i in 0 until messages) {
                            r.readFully(reply)
                            if (!reply.contentEquals(ONE)) {
                                replyError = "PUBLISH $i answered ${String(reply).trim()}: the subscriber was dropped"
                                return@Thread
                            }
                        }
                    } catch (e: Exception) {
                        replyError = "publisher's replies: $e"
                    }
                }.apply { isDaemon = true; start() }

                val started = System.nanoTime()
                val publisher = Thread {
                    val perBatch = maxOf(1, (256 * 1024) / (command.size + messageBytes + 2))
                    val frame = command.size + messageBytes + 2
                    val batch = ByteArray(perBatch * frame)
                    val out = pub.getOutputStream()
                    try {
                        var i = 0
                        while (i < messages) {
                            val n = minOf(perBatch, messages - i)
                            for (k in 0 until n) {
                                val at = k * frame
                                System.arraycopy(command, 0, batch, at, command.size)
                                payload(i + k, batch, at + command.size)
                                batch[at + frame - 2] = '\r'.code.toByte()
                                batch[at + frame - 1] = '\n'.code.toByte()
                            }
                            out.write(batch, 0, n * frame)
                            i += n
                        }
                    } catch (e: java.io.IOException) {
                        // The server dropped us or the subscriber: the subscriber's count tells.
                    }
                }.apply { isDaemon = true; start() }

                val frame = ByteArray(header.size + messageBytes + 2)
                val expected = ByteArray(messageBytes)
                var delivered = 0
                var error: String? = null
                try {
                    while (delivered < messages) {
                        input.readFully(frame)
                        payload(delivered, expected, 0)
                        if (!java.util.Arrays.equals(frame, 0, header.size, header, 0, header.size) ||
                            !java.util.Arrays.equals(frame, header.size, header.size + messageBytes, expected, 0, messageBytes) ||
                            frame[frame.size - 2] != '\r'.code.toByte() || frame[frame.size - 1] != '\n'.code.toByte()
                        ) {
                            error = "message $delivered arrived corrupted, out of order or duplicated"
                            break
                        }
                        delivered++
                    }
                } catch (e: EOFException) {
                    // Dropped: fewer messages than sent.
                } catch (e: java.net.SocketException) {
                    // Dropped with a reset.
                }
                val seconds = (System.nanoTime() - started) / 1e9
                publisher.join(TimeUnit.SECONDS.toMillis(timeoutSeconds))
                replies.join(TimeUnit.SECONDS.toMillis(timeoutSeconds))
                return Result(delivered, delivered < messages, seconds, error ?: replyError)
            }
        }
    }

    private companion object {
        val ONE = ":1\r\n".toByteArray()
    }
}
