package io.netpoll.samples.faults

import io.netpoll.net.BufReader
import io.netpoll.testing.SeededStream
import java.io.ByteArrayOutputStream
import java.io.EOFException
import java.net.InetSocketAddress
import java.net.Socket
import java.nio.ByteBuffer

/**
 * [pairs] pipelined `SET key value` + `GET key` pairs, each value [valueBytes] of binary seeded
 * data (CR and LF included), keys `fault:<tag>:<i>`. The reply stream is known byte for byte:
 * `+OK` then the value as a bulk string, per pair.
 */
class RespExchange(private val tag: String, seed: Long, private val pairs: Int, private val valueBytes: Int = 300) :
    Exchange("resp[$tag]") {
    private val data = SeededStream(seed)
    private val requestEnds = LongArray(2 * pairs)
    private val replyEnds = LongArray(2 * pairs)
    private val replies: ByteArray
    override val request: ByteArray

    init {
        val req = ByteArrayOutputStream()
        val rep = ByteArrayOutputStream()
        for (i in 0 until pairs) {
            val k = key(i)
            val v = value(i)
            req.write(bulkArray("SET".toByteArray(), k, v))
            requestEnds[2 * i] = req.size().toLong()
            rep.write("+OK\r\n".toByteArray())
            replyEnds[2 * i] = rep.size().toLong()
            req.write(bulkArray("GET".toByteArray(), k))
            requestEnds[2 * i + 1] = req.size().toLong()
            rep.write(bulk(v))
            replyEnds[2 * i + 1] = rep.size().toLong()
        }
        request = req.toByteArray()
        replies = rep.toByteArray()
    }

    private fun key(i: Int) = "fault:$tag:$i".toByteArray()

    private fun value(i: Int) = data.bytes(i.toLong() * valueBytes, valueBytes)

    override val total: Long get() = replies.size.toLong()

    override fun owed(n: Long): Long {
        var owed = 0L
        for (i in requestEnds.indices) if (requestEnds[i] <= n) owed = replyEnds[i]
        return owed
    }

    override fun inReplyPrefix(n: Long): Long = minOf(n, total)

    override val replyFaultAt: Long get() = total / 3 + 13

    override suspend fun readReplies(br: BufReader) {
        val b = ByteBuffer.allocate(4096)
        while (verified < total) {
            b.clear().limit(minOf(4096L, total - verified).toInt())
            if (br.read(b) < 0) throw EOFException("end of stream after $verified reply bytes")
            b.flip()
            for (i in 0 until b.limit()) {
                if (b.get(i) != replies[(verified + i).toInt()]) {
                    throw AssertionError("$name: reply byte ${verified + i} is ${b.get(i)}, expected ${replies[(verified + i).toInt()]}")
                }
            }
            verified += b.limit()
        }
    }

    /**
     * Reads every key back on a connection of its own: each is unset or holds exactly its value,
     * and the set ones are a prefix of the keys (commands run in order, a torn one never). Returns
     * how many are set.
     */
    fun keysStored(port: Int): Int {
        Socket().use { s ->
            s.connect(InetSocketAddress("127.0.0.1", port), 2_000)
            s.soTimeout = 5_000
            val out = ByteArrayOutputStream()
            for (i in 0 until pairs) out.write(bulkArray("GET".toByteArray(), key(i)))
            s.getOutputStream().write(out.toByteArray())
            val input = s.getInputStream()
            var stored = 0
            for (i in 0 until pairs) {
                val head = StringBuilder()
                while (!head.endsWith("\r\n")) head.append(input.read().also { check(it >= 0) { "server closed" } }.toChar())
                when (val h = head.toString()) {
                    "$-1\r\n" -> {}
                    "$$valueBytes\r\n" -> {
                        val v = input.readNBytes(valueBytes + 2)
                        if (!v.copyOf(valueBytes).contentEquals(value(i))) throw AssertionError("$name: key $i holds a wrong value")
                        if (stored != i) throw AssertionError("$name: key $i is set but key $stored is not: commands ran out of order")
                        stored++
                    }
                    else -> throw AssertionError("$name: key $i: unexpected reply '${h.trim()}'")
                }
            }
            return stored
        }
    }

    /** Pairs whose SET lies wholly within the first [n] request bytes. */
    fun setsWithin(n: Long): Int = (0 until pairs).count { requestEnds[2 * it] <= n }

    val keys: Int get() = pairs

    private companion object {
        fun bulk(b: ByteArray): ByteArray = "$${b.size}\r\n".toByteArray() + b + "\r\n".toByteArray()

        fun bulkArray(vararg parts: ByteArray): ByteArray {
            val o = ByteArrayOutputStream()
            o.write("*${parts.size}\r\n".toByteArray())
            for (p in parts) o.write(bulk(p))
            return o.toByteArray()
        }
    }
}
