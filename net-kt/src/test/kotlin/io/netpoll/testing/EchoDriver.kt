package io.netpoll.testing

import io.netpoll.net.BufReader
import io.netpoll.net.BufWriter
import io.netpoll.net.StreamConn
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.runInterruptible
import java.io.EOFException
import java.nio.ByteBuffer
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit
import java.util.concurrent.TimeoutException

/**
 * One of net-kt's client APIs driving an echo connection: it writes `n` bytes of a [SeededStream]
 * while it reads the echo back through a [SeededStream.Verifier], each side until it completes or
 * fails, and reports how each side ended. The Kotlin drivers write from one coroutine and read from
 * another; the Java facade drivers do the same from two threads. They drive any [StreamConn]: a
 * plain [io.netpoll.net.Conn] or a [io.netpoll.net.tls.TlsConn] (whose handshake their first
 * read and write then run, both at once).
 */
abstract class EchoDriver(val api: String) {
    /** (how reading ended, how writing ended) */
    abstract suspend fun run(c: StreamConn, data: SeededStream, n: Int, v: SeededStream.Verifier): Pair<Ending, Ending>

    override fun toString() = api

    companion object {
        const val CHUNK = 8 * 1024

        /** The Kotlin API and the Java facade, each way of reading and writing. */
        val all: List<EchoDriver> = listOf(ConnReadWrite, ConnReadFully, Buffered, Blocking, Futures, Streams)

        /** The ones a server test runs (one per style of call, fewer connections). */
        val kotlin: List<EchoDriver> = listOf(ConnReadWrite, Buffered)

        /** Waits for a future no longer than the deadline plus slack: a future that never completes is a hang. */
        fun <T> CompletableFuture<T>.within(millis: Long): T = try {
            get(millis, TimeUnit.MILLISECONDS)
        } catch (e: TimeoutException) {
            throw AssertionError("a future was not completed within ${millis}ms: a hang past its deadline")
        }

        /** How long a driver waits on a future before calling it a hang (longer than every test deadline). */
        const val HANG_MILLIS = 30_000L
    }

    /** `read` and `write` of [StreamConn] (suspending), a direct buffer each. */
    object ConnReadWrite : EchoDriver("Conn.read/write") {
        override suspend fun run(c: StreamConn, data: SeededStream, n: Int, v: SeededStream.Verifier) = coroutineScope {
            val w = async {
                Ending.of {
                    val b = ByteBuffer.allocateDirect(CHUNK)
                    var off = 0L
                    while (off < n) {
                        b.clear().limit(minOf(CHUNK.toLong(), n - off).toInt())
                        off += data.fill(b, off)
                        c.write(b.flip())
                    }
                }
            }
            val r = Ending.of {
                val b = ByteBuffer.allocateDirect(2 * CHUNK)
                while (v.verified() < n) {
                    if (c.read(b.clear()) < 0) throw EOFException()
                    v.accept(b.flip())
                }
            }
            r to w.await()
        }
    }

    /** [StreamConn.readFully] in 4 KiB frames (a short last frame still counts), gathering writes. */
    object ConnReadFully : EchoDriver("Conn.readFully/write(vararg)") {
        override suspend fun run(c: StreamConn, data: SeededStream, n: Int, v: SeededStream.Verifier) = coroutineScope {
            val w = async {
                Ending.of {
                    var off = 0L
                    while (off < n) {
                        val len = minOf(CHUNK.toLong(), n - off).toInt()
                        val a = ByteBuffer.wrap(data.bytes(off, len / 2))
                        val b = ByteBuffer.wrap(data.bytes(off + len / 2, len - len / 2))
                        c.write(a, b)
                        off += len
                    }
                }
            }
            val r = Ending.of {
                val b = ByteBuffer.allocate(4096)
                while (v.verified() < n) {
                    b.clear().limit(minOf(4096L, n - v.verified()).toInt())
                    try {
                        c.readFully(b)
                    } finally {
                        v.accept(b.flip())
                    }
                }
            }
            r to w.await()
        }
    }

    /** [BufReader.read] and [BufReader.readByte] over [BufWriter.write], `writeByte` and `flush`. */
    object Buffered : EchoDriver("BufReader/BufWriter") {
        override suspend fun run(c: StreamConn, data: SeededStream, n: Int, v: SeededStream.Verifier) = coroutineScope {
            val w = async {
                Ending.of {
                    val bw = BufWriter(c)
                    var off = 0L
                    while (off < n) {
                        if (off % 3 == 0L) {
                            bw.writeByte(data.at(off).toInt())
                            off++
                        } else {
                            val len = minOf(3000L, n - off).toInt()
                            bw.write(ByteBuffer.wrap(data.bytes(off, len)))
                            off += len
                        }
                    }
                    bw.flush()
                }
            }
            val r = Ending.of {
                val br = BufReader(c)
                val b = ByteBuffer.allocate(1000)
                while (v.verified() < n) {
                    if (v.verified() % 2 == 0L) {
                        val x = br.readByte()
                        if (x < 0) throw EOFException()
                        v.accept(byteArrayOf(x.toByte()), 0, 1)
                    } else {
                        b.clear().limit(minOf(1000L, n - v.verified()).toInt())
                        if (br.read(b) < 0) throw EOFException()
                        v.accept(b.flip())
                    }
                }
            }
            r to w.await()
        }
    }

    /** The Java facade's blocking calls: `writeBlocking` on one thread, `readFullyBlocking` on another. */
    object Blocking : EchoDriver("writeBlocking/readFullyBlocking") {
        override suspend fun run(c: StreamConn, data: SeededStream, n: Int, v: SeededStream.Verifier) = coroutineScope {
            val w = async(Dispatchers.IO) {
                runInterruptible {
                    Ending.of {
                        var off = 0L
                        while (off < n) {
                            val len = minOf(CHUNK.toLong(), n - off).toInt()
                            c.writeBlocking(ByteBuffer.wrap(data.bytes(off, len)))
                            off += len
                        }
                    }
                }
            }
            val r = runInterruptible(Dispatchers.IO) {
                Ending.of {
                    val b = ByteBuffer.allocateDirect(4096)
                    while (v.verified() < n) {
                        b.clear().limit(minOf(4096L, n - v.verified()).toInt())
                        try {
                            c.readFullyBlocking(b)
                        } finally {
                            v.accept(b.flip())
                        }
                    }
                }
            }
            r to w.await()
        }
    }

    /** The Java facade's futures: `writeAsync` and `readAsync`, each waited for on a thread of its own. */
    object Futures : EchoDriver("writeAsync/readAsync") {
        override suspend fun run(c: StreamConn, data: SeededStream, n: Int, v: SeededStream.Verifier) = coroutineScope {
            val w = async(Dispatchers.IO) {
                runInterruptible {
                    Ending.of {
                        var off = 0L
                        while (off < n) {
                            val len = minOf(CHUNK.toLong(), n - off).toInt()
                            c.writeAsync(ByteBuffer.wrap(data.bytes(off, len))).within(HANG_MILLIS)
                            off += len
                        }
                    }
                }
            }
            val r = runInterruptible(Dispatchers.IO) {
                Ending.of {
                    val b = ByteBuffer.allocate(2 * CHUNK)
                    while (v.verified() < n) {
                        if (c.readAsync(b.clear()).within(HANG_MILLIS) < 0) throw EOFException()
                        v.accept(b.flip())
                    }
                }
            }
            r to w.await()
        }
    }

    /** `asOutputStream().write` and `asInputStream().read` on two threads. */
    object Streams : EchoDriver("OutputStream/InputStream") {
        override suspend fun run(c: StreamConn, data: SeededStream, n: Int, v: SeededStream.Verifier) = coroutineScope {
            val w = async(Dispatchers.IO) {
                runInterruptible {
                    Ending.of {
                        val out = c.asOutputStream()
                        var off = 0L
                        while (off < n) {
                            val len = minOf(CHUNK.toLong(), n - off).toInt()
                            out.write(data.bytes(off, len))
                            off += len
                        }
                    }
                }
            }
            val r = runInterruptible(Dispatchers.IO) {
                Ending.of {
                    val input = c.asInputStream()
                    val b = ByteArray(2 * CHUNK)
                    while (v.verified() < n) {
                        val got = input.read(b)
                        if (got < 0) throw EOFException()
                        v.accept(b, 0, got)
                    }
                }
            }
            r to w.await()
        }
    }
}
