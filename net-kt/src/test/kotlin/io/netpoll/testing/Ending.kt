package io.netpoll.testing

import io.netpoll.DeadlineExceededException
import java.io.EOFException
import java.net.SocketException
import java.util.concurrent.CompletionException
import java.util.concurrent.ExecutionException

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

    /** [SocketException] "Connection reset ..." or "Broken pipe ...". */
    RESET,

    /** [DeadlineExceededException] (a `SocketTimeoutException`). */
    DEADLINE;

    /**
     * Whether a connection whose reading ended `this` and writing ended [write] meets [expected].
     * A reset is reported once per socket (Linux hands sk_err to the first call that looks, as
     * Go's net package shows it): when the writer takes it, the reader then sees end of stream.
     */
    fun meets(expected: Ending, write: Ending): Boolean =
        this == expected || (expected == RESET && this == EOF && write == RESET)

    companion object {
        fun of(e: Throwable): Ending {
            val cause = if (e is ExecutionException || e is CompletionException) e.cause ?: e else e
            val message = cause.message.orEmpty()
            return when {
                cause.javaClass == EOFException::class.java -> EOF
                cause.javaClass == DeadlineExceededException::class.java -> DEADLINE
                cause.javaClass == SocketException::class.java &&
                    (message.startsWith("Connection reset") || message.startsWith("Broken pipe")) -> RESET
                else -> throw AssertionError("not one of the precise fault exceptions: $cause", cause)
            }
        }

        /** Runs [block]: [COMPLETE] if it returns, else the ending its exception stands for. */
        inline fun of(block: () -> Unit): Ending = try {
            block()
            COMPLETE
        } catch (e: java.io.IOException) {
            of(e)
        } catch (e: ExecutionException) {
            of(e)
        } catch (e: CompletionException) {
            of(e)
        }
    }
}
