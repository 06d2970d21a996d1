package io.netpoll.benchmarks

import io.netpoll.net.Conn
import io.netpoll.net.Net
import io.netpoll.net.StreamConn
import io.netpoll.net.tls.Tls
import io.netpoll.net.tls.TlsConn
import io.netpoll.net.tls.tlsConfig
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.runBlocking
import java.io.Closeable
import java.net.InetSocketAddress
import java.nio.ByteBuffer
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/**
 * Records through our TLS connections for TlsRecordBenchmark: a loopback pair of [TlsConn]s
 * handshaken with a P-256 certificate that `openssl` makes for the run (TLS 1.3, AES-128-GCM), or
 * with [tls] false the plain [Conn] pair for comparison. One [exchange] moves [count] records of
 * [size] bytes on the calling thread inside one `runBlocking` (so its own cost spreads over
 * them), in batches that fit the TLS receive buffer: the client writes a batch, one record per
 * write, then the server reads the whole batch. A batch of small records arrives in one socket
 * read and the rest come from the buffer, as on a busy connection; a 16 KiB record is a batch of
 * its own, and its read waits for the poller (the socket read before it was short, so the next
 * one waits for readiness rather than spend a syscall on EAGAIN).
 */
class TlsRecords(tls: Boolean, private val size: Int) : Closeable {
    private val dir: Path = Files.createTempDirectory("netpoll-bench-tls")
    private val client: StreamConn
    private val server: StreamConn
    private val batch = maxOf(1, 8192 / size)
    private val out = ByteBuffer.allocateDirect(size)
    private val back = ByteBuffer.allocateDirect(size * batch)

    init {
        val ln = Net.listen("tcp", "127.0.0.1:0")
        val port = (ln.localAddress as InetSocketAddress).port
        val (c, s) = runBlocking {
            val accepted = async { ln.accept() }
            val dialled = Net.dial("tcp", "127.0.0.1:$port")
            dialled to accepted.await()
        }
        ln.close()
        if (tls) {
            val cert = dir.resolve("cert.pem")
            val key = dir.resolve("key.pem")
            openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", key.toString(), "-out", cert.toString())
            val tc = Tls.client(c, tlsConfig { rootCAs(cert); serverName("127.0.0.1") })
            val ts = Tls.server(s, tlsConfig { certificate(cert, key) })
            runBlocking {
                coroutineScope {
                    val accepting = async { ts.handshake() }
                    tc.handshake()
                    accepting.await()
                }
            }
            client = tc
            server = ts
        } else {
            client = c
            server = s
        }
    }

    fun exchange(count: Int): Int = runBlocking {
        var n = 0
        var left = count
        while (left > 0) {
            val records = minOf(batch, left)
            repeat(records) {
                client.write(out.clear())
            }
            back.clear().limit(records * size)
            server.readFully(back)
            n += back.position()
            left -= records
        }
        n
    }

    override fun close() {
        client.close()
        server.close()
        dir.toFile().deleteRecursively()
    }

    private fun openssl(vararg args: String) {
        val p = ProcessBuilder("openssl", *args).redirectErrorStream(true).start()
        val output = p.inputStream.bufferedReader().readText()
        check(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) { "openssl ${args.joinToString(" ")}: $output" }
    }
}
