package io.netpoll.net.tls

import io.netpoll.net.BufferPool
import io.netpoll.net.Conn
import io.netpoll.net.internal.CoopBudget
import io.netpoll.net.StreamConn
import io.netpoll.poller.fd.NetFD
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.future.future
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.sync.Mutex
import java.io.EOFException
import java.io.IOException
import java.io.InputStream
import java.io.InterruptedIOException
import java.io.OutputStream
import java.net.SocketAddress
import java.nio.ByteBuffer
import java.nio.channels.ClosedChannelException
import java.security.cert.X509Certificate
import java.time.Instant
import kotlin.time.Duration
import java.util.Objects
import java.util.concurrent.CompletableFuture
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.Executor
import javax.net.ssl.ExtendedSSLSession
import javax.net.ssl.SNIHostName
import javax.net.ssl.SSLEngine
import javax.net.ssl.SSLEngineResult
import javax.net.ssl.SSLEngineResult.HandshakeStatus
import javax.net.ssl.SSLEngineResult.Status
import javax.net.ssl.SSLException
import javax.net.ssl.SSLHandshakeException
import javax.net.ssl.SSLPeerUnverifiedException
import kotlin.coroutines.coroutineContext

/**
 * A TLS connection over a [Conn] (Go's crypto/tls.Conn), made by [Tls.client], [Tls.server],
 * [Tls.dial] or a [TlsListener]. It is a [StreamConn], so code that serves a plain connection
 * serves this one unchanged.
 *
 * Protocol. The JDK's [SSLEngine] does the cryptography; this class moves its records:
 * - Reading: ciphertext from the socket collects in `netIn`; each [SSLEngine.unwrap] turns one
 *   record into plaintext, straight into the caller's buffer when it has room for a whole record,
 *   else into `appIn`, from which later reads copy. A record that holds no data (a TLS 1.3 session
 *   ticket or key update) is consumed and the read goes on; when the engine then needs to answer
 *   (a key update), the reader wraps the answer and writes it under the write lock.
 * - Writing: [SSLEngine.wrap] seals the caller's bytes a record at a time into `netOut`, which the
 *   socket then takes. The caller's buffer advances by what has been sealed.
 * - The handshake runs once, under its own lock, on the first read, write or [awaitReadable], or
 *   when [handshake] is called. It uses the socket's deadlines, so a peer that stalls fails it
 *   with [io.netpoll.DeadlineExceededException] (and a later call may resume it). A TLS failure
 *   or the peer's end of stream is kept and thrown again by every later call (Go's handshakeErr);
 *   the engine's alert is sent to the peer first when the socket takes it. A TLS failure after
 *   the handshake (a record that fails authentication, a fatal alert from the peer) is kept
 *   likewise: the engine is closed then, and every later read and write throws that
 *   [SSLException] (as Go's record layer keeps its error) rather than wait for the socket or
 *   report a close.
 *   The engine's delegated tasks run inline, as Go runs its handshake's cryptography on the
 *   goroutine: they are CPU work, not waits (a server's one task, the ClientHello's, makes the
 *   key share and the signature, about 1.5 ms on JDK 17), so a blocking section would only let a
 *   burst of handshakes run more threads than there are cores.
 *
 * Interrupted calls: a deadline or a cancellation can end a call only while it waits for the
 * socket, never inside the engine, and every byte in flight is in `netIn`, `appIn` or `netOut`:
 * the next read continues with the partial record it had, the next write first sends the rest of
 * the record the interrupted one had sealed. The stream stays intact.
 *
 * Memory: the three buffers are borrowed from pools shared by all TLS connections and given back
 * whenever they are empty, and a read waits for the socket ([Conn.awaitReadable]) without holding
 * any, so an idle TLS connection holds no buffer (only the engine's own state).
 *
 * End of stream: the peer's close_notify makes reads return -1. A socket that ends without it is
 * a truncation ([EOFException]); so is one that ends in the middle of a record. [close] sends
 * close_notify when the socket takes it at once, then closes; [closeWrite] sends it and keeps the
 * socket open for reading (Go's CloseWrite).
 *
 * Concurrency: one reader and one writer may run at once (further ones queue), as with [Conn].
 */
class TlsConn private constructor(
    /** The connection under TLS (Go's NetConn). Reading or writing it directly breaks the stream. */
    val conn: Conn,
    private val engine: SSLEngine,
    private val config: TlsConfig,
) : StreamConn {
    private val packetPool = pool(engine.session.packetBufferSize)
    private val appPool = pool(engine.session.applicationBufferSize)

    private val handshakeLock = Mutex()
    private val readLock = Mutex()
    private val writeLock = Mutex()

    @Volatile
    private var handshakeDone = false
    @Volatile
    private var handshakeError: IOException? = null
    /** The [SSLException] that ended the session after the handshake: every read and write throws it. */
    @Volatile
    private var failure: SSLException? = null

    // Read side, under readLock (or handshakeLock before handshakeDone). Buffers in read mode.
    private var netIn: ByteBuffer? = null
    private var appIn: ByteBuffer? = null
    /** close_notify received, or [closeRead] called: reads return -1. */
    @Volatile
    private var inboundDone = false
    private var answerPending = false

    // Write side, under writeLock (or handshakeLock). Read mode: the bytes still to send.
    private var netOut: ByteBuffer? = null
    @Volatile
    private var outboundDone = false

    // ---- handshake -----------------------------------------------------------------------------

    /**
     * Runs the handshake if it has not run (Go's HandshakeContext): suspends until it completes,
     * within the socket's deadlines. Reads and writes call it themselves; call it to learn the
     * peer's identity before the first byte, or to see handshake errors where they happen.
     * Throws [SSLHandshakeException] (bad certificate, no common protocol or cipher, an alert
     * from the peer), [EOFException] if the peer closes during it, or the socket's errors.
     */
    @JvmSynthetic
    suspend fun handshake() {
        if (handshakeDone) {
            return
        }
        handshakeError?.let { throw it }
        handshakeLock.lock()
        try {
            if (handshakeDone) {
                return
            }
            handshakeError?.let { throw it }
            try {
                engine.beginHandshake()
                runHandshake()
            } catch (e: SSLException) {
                handshakeError = e
                sendAlertNow()
                throw e
            } catch (e: EOFException) {
                handshakeError = e
                throw e
            }
            handshakeDone = true
        } finally {
            handshakeLock.unlock()
        }
    }

    private suspend fun runHandshake() {
        while (true) {
            when (engine.handshakeStatus!!) {
                HandshakeStatus.NEED_WRAP -> {
                    val r = wrapInto(EMPTY)
                    if (r.status == Status.CLOSED) throw SSLHandshakeException("the TLS engine closed during the handshake")
                    flush()
                }
                HandshakeStatus.NEED_UNWRAP, HandshakeStatus.NEED_UNWRAP_AGAIN -> {
                    val r = unwrapInto(null)
                    if (r == null) {
                        if (!fill()) throw EOFException("the peer closed the connection during the TLS handshake")
                    } else if (r.status == Status.CLOSED) {
                        throw SSLHandshakeException("the peer closed the TLS connection during the handshake")
                    }
                }
                HandshakeStatus.NEED_TASK -> runTasks()
                HandshakeStatus.FINISHED, HandshakeStatus.NOT_HANDSHAKING -> {
                    releaseEmpty()
                    releaseOut()
                    return
                }
            }
        }
    }

    private fun runTasks() {
        while (true) {
            val task = engine.delegatedTask ?: return
            task.run()
        }
    }

    /** The engine's alert after a failure (it has one to wrap), if the socket takes it now. */
    private fun sendAlertNow() {
        try {
            if (engine.handshakeStatus != HandshakeStatus.NEED_WRAP) return
            val out = netOut ?: packetPool.get().flip().also { netOut = it }
            out.compact()
            try {
                engine.wrap(EMPTY, out)
            } finally {
                out.flip()
            }
            conn.io.writeNow(out)
        } catch (_: Exception) {
            // Best effort: the handshake's own error is what the caller gets.
        }
    }

    private suspend fun ensureHandshake() {
        if (!handshakeDone) {
            handshake()
        }
    }

    /** What the handshake settled (Go's ConnectionState); before it completes, what is known so far. */
    fun connectionState(): TlsConnectionState {
        val session = engine.session
        val peers: List<X509Certificate> = try {
            session.peerCertificates.filterIsInstance<X509Certificate>()
        } catch (_: SSLPeerUnverifiedException) {
            emptyList()
        }
        return TlsConnectionState(
            handshakeComplete = handshakeDone,
            version = session.protocol,
            cipherSuite = session.cipherSuite,
            negotiatedProtocol = engine.applicationProtocol?.takeIf { it.isNotEmpty() },
            serverName = serverName(session),
            peerCertificates = peers,
        )
    }

    private fun serverName(session: javax.net.ssl.SSLSession): String? {
        if (engine.useClientMode) {
            return engine.sslParameters.serverNames?.filterIsInstance<SNIHostName>()?.firstOrNull()?.asciiName
                ?: engine.peerHost
        }
        return (session as? ExtendedSSLSession)?.requestedServerNames
            ?.filterIsInstance<SNIHostName>()?.firstOrNull()?.asciiName
    }

    // ---- reading -------------------------------------------------------------------------------

    @JvmSynthetic
    override suspend fun read(dst: ByteBuffer): Int {
        // Most reads find a whole record in the socket or in `netIn`: [tryRead] completes them
        // without suspending, and every suspending path below is a tail call, so such a read
        // allocates no coroutine frame. It spends from the cooperative budget like a Conn call
        // (yielding first when the budget is used up); about to wait, it refills it.
        if (CoopBudget.spend(coroutineContext)) {
            return readAfterYield(dst)
        }
        val n = tryRead(dst)
        return when {
            n == 0 && dst.hasRemaining() -> {
                CoopBudget.refill(coroutineContext)
                readWaiting(dst)
            }
            answerPending -> answered(n)
            else -> n
        }
    }

    private suspend fun readAfterYield(dst: ByteBuffer): Int {
        CoopBudget.yieldTurn()
        return read(dst)
    }

    /** [read] once [tryRead] found nothing: waits for the handshake, the read lock and the socket. */
    private suspend fun readWaiting(dst: ByteBuffer): Int {
        ensureHandshake()
        readLock.lock()
        try {
            while (true) {
                val n = readBuffered(dst)
                if (answerPending) {
                    answer()
                }
                if (n != 0) {
                    return n
                }
                if (!fill()) {
                    return endOfSocket()
                }
            }
        } finally {
            readLock.unlock()
        }
    }

    /** [n] after the answer [tryRead] could not send because a write held the write side. */
    private suspend fun answered(n: Int): Int {
        answer()
        return n
    }

    @Throws(IOException::class)
    override fun tryRead(dst: ByteBuffer): Int {
        if (!dst.hasRemaining()) {
            return 0
        }
        handshakeError?.let { throw it }
        if (!handshakeDone || !readLock.tryLock()) {
            return 0
        }
        try {
            while (true) {
                val n = readBuffered(dst)
                if (answerPending) {
                    answerNow()
                }
                if (n != 0) {
                    return n
                }
                val buf = borrowNetIn()
                buf.compact()
                val got = try {
                    conn.tryRead(buf)
                } finally {
                    buf.flip()
                }
                if (got == 0) {
                    releaseEmpty()
                    return 0
                }
                if (got < 0) {
                    return endOfSocket()
                }
            }
        } finally {
            readLock.unlock()
        }
    }

    @JvmSynthetic
    override suspend fun awaitReadable() {
        ensureHandshake()
        readLock.lock()
        try {
            // A partial record is not readable: [tryRead] would find nothing to return.
            if (inboundDone || failure != null || appIn?.hasRemaining() == true || wholeRecordBuffered()) {
                return
            }
            conn.awaitReadable()
        } finally {
            readLock.unlock()
        }
    }

    /** Whether `netIn` holds a whole record: a 5-byte header whose length field is satisfied. */
    private fun wholeRecordBuffered(): Boolean {
        val b = netIn ?: return false
        if (b.remaining() < RECORD_HEADER_BYTES) {
            return false
        }
        val length = (b.get(b.position() + 3).toInt() and 0xff shl 8) or (b.get(b.position() + 4).toInt() and 0xff)
        return b.remaining() >= RECORD_HEADER_BYTES + length
    }

    /** The socket has ended: -1 after close_notify or [closeRead], else a truncation. */
    private fun endOfSocket(): Int {
        if (inboundDone) {
            return -1
        }
        throw truncated()
    }

    /**
     * Plaintext from what has been received, without touching the socket: bytes delivered into
     * [dst], -1 once the inbound side is done, 0 if a whole record has not arrived.
     */
    private fun readBuffered(dst: ByteBuffer): Int {
        failure?.let { throw it }
        while (true) {
            val app = appIn
            if (app != null && app.hasRemaining()) {
                val n = copy(app, dst)
                releaseEmpty()
                return n
            }
            if (inboundDone) {
                return -1
            }
            val r = try {
                unwrapInto(dst)
            } catch (e: SSLException) {
                failure = e
                throw e
            } ?: return 0
            afterUnwrap(r.handshakeStatus)
            if (r.status == Status.CLOSED) {
                inboundDone = true
                continue
            }
            if (r.bytesProduced() > 0) {
                val a = appIn
                if (a != null && a.hasRemaining()) {
                    continue
                }
                releaseEmpty()
                return r.bytesProduced()
            }
        }
    }

    /**
     * A record may leave the engine work: tasks (run now) or an answer to send (a TLS 1.3 key
     * update, a TLS 1.2 close_notify), sent by the read before it returns.
     */
    private fun afterUnwrap(status: HandshakeStatus) {
        var s = status
        if (s == HandshakeStatus.NEED_TASK) {
            runTasks()
            s = engine.handshakeStatus
        }
        if (s == HandshakeStatus.NEED_WRAP) {
            answerPending = true
        }
    }

    private suspend fun answer() {
        writeLock.lock()
        try {
            wrapAnswer()
            flush()
            releaseOut()
        } finally {
            writeLock.unlock()
        }
    }

    /** [answer] for [tryRead]: if the write side is free; what the socket does not take now goes with the next write. */
    private fun answerNow() {
        if (!writeLock.tryLock()) {
            return
        }
        try {
            wrapAnswer()
            netOut?.let { conn.io.writeNow(it) }
            releaseOut()
        } finally {
            writeLock.unlock()
        }
    }

    private fun wrapAnswer() {
        answerPending = false
        while (engine.handshakeStatus == HandshakeStatus.NEED_WRAP) {
            if (wrapInto(EMPTY).status == Status.CLOSED) {
                outboundDone = true
                return
            }
        }
    }

    /**
     * One [SSLEngine.unwrap] of the next record in `netIn`, into [dst] when it has room for a
     * whole record, else into `appIn`; null when `netIn` holds no whole record (nothing consumed).
     */
    private fun unwrapInto(dst: ByteBuffer?): SSLEngineResult? {
        val src = netIn ?: return null
        if (!src.hasRemaining()) {
            return null
        }
        while (true) {
            val direct = dst != null && dst.remaining() >= engine.session.applicationBufferSize
            val target = if (direct) dst else borrowAppIn()
            val r: SSLEngineResult
            if (direct) {
                r = engine.unwrap(src, target)
            } else {
                target.compact()
                try {
                    r = engine.unwrap(src, target)
                } finally {
                    target.flip()
                }
            }
            when (r.status!!) {
                Status.BUFFER_UNDERFLOW -> {
                    if (src.limit() == src.capacity() && src.position() == 0) {
                        // A record bigger than the buffer (the engine's packet size grew): make room.
                        netIn = grow(src, engine.session.packetBufferSize)
                    }
                    return null
                }
                Status.BUFFER_OVERFLOW -> {
                    // Only appIn can be too small (dst was checked): the application size grew.
                    appIn = grow(borrowAppIn(), engine.session.applicationBufferSize)
                    continue
                }
                else -> return r
            }
        }
    }

    /**
     * Reads more ciphertext into `netIn`, waiting for the socket without holding a buffer;
     * false at the socket's end of stream.
     */
    private suspend fun fill(): Boolean {
        while (true) {
            val held = netIn?.hasRemaining() == true
            val buf = borrowNetIn()
            buf.compact()
            val n = try {
                conn.tryRead(buf)
            } finally {
                buf.flip()
            }
            if (n > 0) {
                return true
            }
            if (n < 0) {
                return false
            }
            if (!buf.hasRemaining() && !held) {
                releaseEmpty()
            } else if (buf.position() == 0 && buf.limit() == buf.capacity()) {
                netIn = grow(buf, buf.capacity() * 2)
                continue
            }
            conn.awaitReadable()
        }
    }

    private fun truncated(): EOFException {
        val partial = netIn?.remaining() ?: 0
        return EOFException(
            if (partial > 0) "TLS stream truncated: the connection ended inside a record ($partial bytes of it received)"
            else "TLS stream truncated: the peer closed the connection without close_notify",
        )
    }

    // ---- writing -------------------------------------------------------------------------------

    @JvmSynthetic
    override suspend fun write(src: ByteBuffer): Int {
        // Like [read]: when the socket takes every record at once, the write never suspends and
        // allocates no coroutine frame; otherwise what is left goes through [writeWaiting], whose
        // socket writes refill the cooperative budget when they wait.
        if (CoopBudget.spend(coroutineContext)) {
            return writeAfterYield(src)
        }
        val total = src.remaining()
        if (handshakeDone && writeLock.tryLock()) {
            try {
                if (netOut?.hasRemaining() != true) {
                    while (src.hasRemaining()) {
                        if (!sealedNow(src)) break
                    }
                    if (!src.hasRemaining() && netOut?.hasRemaining() != true) {
                        releaseOut()
                        return total
                    }
                }
            } finally {
                writeLock.unlock()
            }
        }
        return writeWaiting(src, total)
    }

    private suspend fun writeAfterYield(src: ByteBuffer): Int {
        CoopBudget.yieldTurn()
        return write(src)
    }

    /** Seals one record of [src] and gives it to the socket without waiting; true if it took all of it. */
    private fun sealedNow(src: ByteBuffer): Boolean {
        sealed(wrapInto(src))
        return conn.io.writeNow(netOut!!)
    }

    /** [write] from where the fast path stopped: the rest of `netOut` first, then the rest of [src]. */
    private suspend fun writeWaiting(src: ByteBuffer, total: Int): Int {
        ensureHandshake()
        writeLock.lock()
        try {
            flush()
            while (src.hasRemaining()) {
                sealed(wrapInto(src))
                flush()
            }
            releaseOut()
        } finally {
            writeLock.unlock()
        }
        return total
    }

    @JvmSynthetic
    override suspend fun write(vararg srcs: ByteBuffer): Long {
        var total = 0L
        for (b in srcs) {
            total += b.remaining()
        }
        ensureHandshake()
        writeLock.lock()
        try {
            flush()
            @Suppress("UNCHECKED_CAST")
            val bufs = srcs as Array<ByteBuffer>
            while (bufs.any { it.hasRemaining() }) {
                val out = borrowOut()
                out.compact()
                val r = try {
                    engine.wrap(bufs, out)
                } finally {
                    out.flip()
                }
                sealed(r)
                flush()
            }
            releaseOut()
        } finally {
            writeLock.unlock()
        }
        return total
    }

    private fun sealed(r: SSLEngineResult) {
        if (r.status == Status.CLOSED) {
            throw failure ?: failureInFlight() ?: ClosedChannelException()
        }
    }

    /**
     * The engine closed under a write that did not close it ([outboundDone] unset). A record that
     * fails on the read side closes the engine before its reader can publish [failure] (the engine
     * throws first), so a concurrent write may see the engine closed a moment early: give that
     * reader a few milliseconds rather than report the TLS failure as a plain close.
     */
    private fun failureInFlight(): SSLException? {
        if (outboundDone) {
            return null
        }
        val until = System.nanoTime() + FAILURE_IN_FLIGHT_NANOS
        while (failure == null && System.nanoTime() - until < 0) {
            Thread.yield()
        }
        return failure
    }

    /** One [SSLEngine.wrap] of [src] appended to `netOut`; grows it if a record does not fit. */
    private fun wrapInto(src: ByteBuffer): SSLEngineResult {
        while (true) {
            val out = borrowOut()
            out.compact()
            val r = try {
                engine.wrap(src, out)
            } finally {
                out.flip()
            }
            if (r.status == Status.BUFFER_OVERFLOW) {
                if (out.hasRemaining()) {
                    return r // room comes back once the pending bytes are flushed
                }
                netOut = grow(out, engine.session.packetBufferSize)
                continue
            }
            return r
        }
    }

    /** Sends everything in `netOut` (what an interrupted write left first). */
    private suspend fun flush() {
        val out = netOut ?: return
        if (out.hasRemaining()) {
            conn.write(out)
        }
    }

    // ---- closing -------------------------------------------------------------------------------

    /**
     * Sends close_notify and keeps the socket open (Go's CloseWrite): the peer reads end of
     * stream, this side can still read. The alert is written as a blocking write on the calling
     * thread under the write deadline; it returns at once unless the peer has stopped reading.
     * [IllegalStateException] before the handshake has completed or while a write is in progress.
     */
    @Throws(IOException::class)
    override fun closeWrite() {
        check(handshakeDone) { "closeWrite before the TLS handshake completed" }
        check(writeLock.tryLock()) { "closeWrite while a write is in progress" }
        try {
            if (outboundDone) {
                return
            }
            outboundDone = true
            engine.closeOutbound()
            val out = borrowOut()
            out.compact()
            try {
                engine.wrap(EMPTY, out)
            } finally {
                out.flip()
            }
            while (out.hasRemaining()) {
                conn.writeBlocking(out)
            }
            releaseOut()
        } finally {
            writeLock.unlock()
        }
    }

    /** Reads return -1 from now on; the socket's reading side is shut down (SHUT_RD). */
    @Throws(IOException::class)
    override fun closeRead() {
        inboundDone = true
        conn.closeRead()
    }

    /**
     * Sends close_notify if the handshake completed and the socket takes it now (it is a few
     * dozen bytes; nothing waits for it), then closes the socket. Idempotent.
     */
    override fun close() {
        if (!conn.isOpen) {
            return
        }
        if (handshakeDone && !outboundDone && writeLock.tryLock()) {
            try {
                outboundDone = true
                engine.closeOutbound()
                val out = borrowOut()
                if (!out.hasRemaining()) {
                    out.compact()
                    try {
                        engine.wrap(EMPTY, out)
                    } finally {
                        out.flip()
                    }
                    conn.io.writeNow(out)
                }
            } catch (_: IOException) {
                // The socket is going away; the peer sees a truncation instead.
            } finally {
                writeLock.unlock()
            }
        }
        conn.close()
    }

    // ---- buffers -------------------------------------------------------------------------------

    private fun borrowNetIn(): ByteBuffer = netIn ?: packetPool.get().flip().also { netIn = it }

    private fun borrowAppIn(): ByteBuffer = appIn ?: appPool.get().flip().also { appIn = it }

    private fun borrowOut(): ByteBuffer = netOut ?: packetPool.get().flip().also { netOut = it }

    /** Gives the read buffers back to their pools when they hold nothing. */
    private fun releaseEmpty() {
        val n = netIn
        if (n != null && !n.hasRemaining()) {
            netIn = null
            if (n.capacity() == packetPool.bufferBytes) packetPool.put(n)
        }
        val a = appIn
        if (a != null && !a.hasRemaining()) {
            appIn = null
            if (a.capacity() == appPool.bufferBytes) appPool.put(a)
        }
    }

    private fun releaseOut() {
        val o = netOut
        if (o != null && !o.hasRemaining()) {
            netOut = null
            if (o.capacity() == packetPool.bufferBytes) packetPool.put(o)
        }
    }

    // ---- StreamConn plumbing -------------------------------------------------------------------

    override val localAddress: SocketAddress
        @Throws(IOException::class)
        get() = conn.localAddress

    override val remoteAddress: SocketAddress
        @Throws(IOException::class)
        get() = conn.remoteAddress

    override val isOpen: Boolean
        get() = conn.isOpen

    @JvmSynthetic
    override suspend fun readFully(dst: ByteBuffer) {
        // Like [read]: records already here are taken without suspending or allocating.
        if (CoopBudget.spend(coroutineContext)) {
            return readFullyAfterYield(dst)
        }
        while (dst.hasRemaining()) {
            val n = tryRead(dst)
            if (n < 0) {
                throw shortStream(dst)
            }
            if (n == 0 || answerPending) {
                return readFullyWaiting(dst)
            }
        }
    }

    private suspend fun readFullyAfterYield(dst: ByteBuffer) {
        CoopBudget.yieldTurn()
        readFully(dst)
    }

    private suspend fun readFullyWaiting(dst: ByteBuffer) {
        if (answerPending) {
            answer()
        }
        while (dst.hasRemaining()) {
            if (read(dst) < 0) {
                throw shortStream(dst)
            }
        }
    }

    private fun shortStream(dst: ByteBuffer) = EOFException("end of stream with ${dst.remaining()} bytes still expected")

    @Throws(IOException::class)
    override fun setDeadline(deadline: Instant?) = conn.setDeadline(deadline)

    @Throws(IOException::class)
    override fun setReadDeadline(deadline: Instant?) = conn.setReadDeadline(deadline)

    @Throws(IOException::class)
    override fun setWriteDeadline(deadline: Instant?) = conn.setWriteDeadline(deadline)

    @Throws(IOException::class)
    override fun setDeadline(timeout: Duration) = conn.setDeadline(timeout)

    @Throws(IOException::class)
    override fun setReadDeadline(timeout: Duration) = conn.setReadDeadline(timeout)

    @Throws(IOException::class)
    override fun setWriteDeadline(timeout: Duration) = conn.setWriteDeadline(timeout)

    @Throws(IOException::class)
    override fun setDeadlineNanos(nanoTime: Long) = conn.setDeadlineNanos(nanoTime)

    @Throws(IOException::class)
    override fun setReadDeadlineNanos(nanoTime: Long) = conn.setReadDeadlineNanos(nanoTime)

    @Throws(IOException::class)
    override fun setWriteDeadlineNanos(nanoTime: Long) = conn.setWriteDeadlineNanos(nanoTime)

    @Throws(IOException::class)
    override fun readBlocking(dst: ByteBuffer): Int = blocking { read(dst) }

    @Throws(IOException::class)
    override fun writeBlocking(src: ByteBuffer): Int = blocking { write(src) }

    @Throws(IOException::class)
    override fun readFullyBlocking(dst: ByteBuffer) = blocking { readFully(dst) }

    @Throws(IOException::class)
    override fun awaitReadableBlocking() = blocking { awaitReadable() }

    /** [handshake] parking the calling thread. */
    @Throws(IOException::class)
    fun handshakeBlocking() = blocking { handshake() }

    override fun readAsync(dst: ByteBuffer): CompletableFuture<Int> = readAsync(dst, NetFD.defaultExecutor())

    override fun readAsync(dst: ByteBuffer, executor: Executor): CompletableFuture<Int> =
        CoroutineScope(executor.asCoroutineDispatcher()).future { read(dst) }

    override fun writeAsync(src: ByteBuffer): CompletableFuture<Int> = writeAsync(src, NetFD.defaultExecutor())

    override fun writeAsync(src: ByteBuffer, executor: Executor): CompletableFuture<Int> =
        CoroutineScope(executor.asCoroutineDispatcher()).future { write(src) }

    /** [handshake] as a future completed on [executor] (the common pool by default). */
    @JvmOverloads
    fun handshakeAsync(executor: Executor = NetFD.defaultExecutor()): CompletableFuture<Unit> =
        CoroutineScope(executor.asCoroutineDispatcher()).future { handshake() }

    override fun asInputStream(): InputStream = object : InputStream() {
        private val one = ByteArray(1)

        override fun read(): Int = if (read(one, 0, 1) < 0) -1 else one[0].toInt() and 0xff

        override fun read(b: ByteArray, off: Int, len: Int): Int {
            Objects.checkFromIndexSize(off, len, b.size)
            return if (len == 0) 0 else readBlocking(ByteBuffer.wrap(b, off, len))
        }

        override fun close() = this@TlsConn.close()
    }

    override fun asOutputStream(): OutputStream = object : OutputStream() {
        override fun write(b: Int) = write(byteArrayOf(b.toByte()), 0, 1)

        override fun write(b: ByteArray, off: Int, len: Int) {
            Objects.checkFromIndexSize(off, len, b.size)
            writeBlocking(ByteBuffer.wrap(b, off, len))
        }

        override fun close() = this@TlsConn.close()
    }

    override fun toString(): String = "TlsConn[${if (engine.useClientMode) "client" else "server"}, $conn]"

    internal companion object {
        /** TLS over [conn] with [engine] (client or server mode already set), from [Tls]. */
        @JvmSynthetic
        fun of(conn: Conn, engine: SSLEngine, config: TlsConfig): TlsConn = TlsConn(conn, engine, config)

        private val EMPTY: ByteBuffer = ByteBuffer.allocate(0)
        private const val RECORD_HEADER_BYTES = 5
        /** [failureInFlight]: how long a write waits for a failing reader to publish its failure. */
        private const val FAILURE_IN_FLIGHT_NANOS = 20_000_000L
        private val pools = ConcurrentHashMap<Int, BufferPool>()

        private fun pool(bytes: Int): BufferPool = pools.computeIfAbsent(bytes) { BufferPool(it) }

        /** Moves what fits of [src] into [dst]; returns how many bytes. */
        private fun copy(src: ByteBuffer, dst: ByteBuffer): Int {
            val n = minOf(src.remaining(), dst.remaining())
            if (n == src.remaining()) {
                dst.put(src)
            } else {
                val limit = src.limit()
                src.limit(src.position() + n)
                dst.put(src)
                src.limit(limit)
            }
            return n
        }

        /** A buffer of at least [capacity] holding [old]'s remaining bytes, in read mode. */
        private fun grow(old: ByteBuffer, capacity: Int): ByteBuffer =
            ByteBuffer.allocateDirect(maxOf(capacity, old.capacity() * 2)).put(old).flip()

        /** Runs [block] on the calling thread, parking it; an interrupt ends it with InterruptedIOException. */
        private fun <T> blocking(block: suspend () -> T): T = try {
            runBlocking { block() }
        } catch (e: InterruptedException) {
            // As the plain facade does: the exception, with the thread's interrupt flag kept.
            Thread.currentThread().interrupt()
            throw InterruptedIOException("interrupted").apply { initCause(e) }
        }
    }
}
