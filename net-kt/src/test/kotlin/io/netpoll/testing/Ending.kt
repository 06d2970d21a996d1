package io.netpoll.testing

import io.netpoll.DeadlineExceededException
import java.io.EOFException
import java.net.SocketException
import java.util.concurrent.CompletionException
import java.util.concurrent.ExecutionException
import javax.net.ssl.SSLException
import javax.net.ssl.SSLHandshakeException

/**
 * How a client's reading or writing through a fault ended. Every ending but [COMPLETE] stands for
 * one precise exception of the JVM's own types, matched by exact class ([of]): anything else — a
 * subclass, a wrapper other than a future's, a timeout of the test itself — is an [AssertionError].
 */
enum class Ending {
    /** Everything was written, or everything expected was read. */
    COMPLETE,

    /** End of stream: a read returned -1, or a readFully-style call threw [EOFException]. */
    EOF,

    /**
     * TLS: the socket ended without the peer's close_notify, the [EOFException] TlsConn throws
     * then ("TLS stream truncated: ...", or "... closed the connection during the TLS handshake")
     * where a plain connection reads end of stream. TLS's own end of stream (close_notify) is [EOF].
     */
    TRUNCATED,

    /** [SocketException] "read tcp ...: Connection reset ..." or "write tcp ...: Broken pipe ...". */
    RESET,

    /** [DeadlineExceededException] (a `SocketTimeoutException`). */
    DEADLINE,

    /**
     * TLS: [SSLException] itself: a record that failed authentication ("Tag mismatch"), or the
     * peer's fatal alert about one ("Received fatal alert: bad_record_mac").
     */
    TLS,

    /** TLS: [SSLHandshakeException], a handshake message the peer could not accept ("Received fatal alert: decode_error"). */
    TLS_HANDSHAKE;

    /**
     * Whether one side of a connection (reading) that ended `this`, while the other (writing)
     * ended [other], meets [expected]. A reset is reported once per socket (Linux hands sk_err to
     * the first call that looks, as Go's net package shows it): when the writer takes it, the
     * reader then sees end of stream (over TLS: one without close_notify); in a TLS handshake,
     * which reads for both, either side may.
     */
    fun meets(expected: Ending, other: Ending): Boolean =
        this == expected || (expected == RESET && (this == EOF || this == TRUNCATED) && other == RESET)

    companion object {
        fun of(e: Throwable): Ending {
            val cause = if (e is ExecutionException || e is CompletionException) e.cause ?: e else e
            val message = cause.message.orEmpty()
            return when {
                cause.javaClass == EOFException::class.java &&
                    (message.startsWith("TLS stream truncated") || message.endsWith("closed the connection during the TLS handshake")) -> TRUNCATED
                cause.javaClass == EOFException::class.java -> EOF
                cause.javaClass == DeadlineExceededException::class.java -> DEADLINE
                cause.javaClass == SSLException::class.java -> TLS
                cause.javaClass == SSLHandshakeException::class.java -> TLS_HANDSHAKE
                cause.javaClass == SocketException::class.java &&
                    (message.contains("Connection reset") || message.contains("Broken pipe")) -> RESET
                else -> throw AssertionError("not one of the precise fault exceptions: $cause", cause)
            }
        }

        /** Runs [block]: [COMPLETE] if it returns, else the ending its exception stands for. */
        inline fun of(block: () -> Unit): Ending = try {
            block()
            COMPLETE
        } catch (e: java.io.IOException) {
            if (e.javaClass == java.io.InterruptedIOException::class.java) {
                // A blocking side run in runInterruptible whose coroutine was cancelled (the other
                // side ended first): the interrupt withdrew its call, a cancellation, not an ending.
                throw java.util.concurrent.CancellationException("interrupted: its coroutine was cancelled").apply { initCause(e) }
            }
            of(e)
        } catch (e: ExecutionException) {
            of(e)
        } catch (e: CompletionException) {
            of(e)
        }
    }
}
