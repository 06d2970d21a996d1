package io.netpoll.net.internal

import io.netpoll.DeadlineExceededException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.asExecutor
import kotlinx.coroutines.future.await
import kotlinx.coroutines.withTimeoutOrNull
import java.io.InterruptedIOException
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.SocketAddress
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CompletionException
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeUnit
import java.util.concurrent.TimeoutException
import kotlin.time.Duration.Companion.nanoseconds

/**
 * Host name lookups for dialling. The JDK resolver blocks and cannot be interrupted, so a lookup
 * never runs on the caller's thread: it runs on [Dispatchers.IO]'s daemon threads as a future, and
 * callers wait for the future, not for the lookup (Go's lookupGroup: DoChan, then select on the
 * result or ctx.Done). A dial that times out or is cancelled or interrupted stops waiting at once;
 * the abandoned lookup finishes in the background and its answer is dropped. The caller's
 * dispatcher is never held up, whatever its parallelism.
 */
internal object Resolver {
    /** The blocking lookup itself; tests replace it with one that hangs. */
    @Volatile
    var lookupHost: (String) -> Array<InetAddress> = InetAddress::getAllByName

    private val executor = Dispatchers.IO.asExecutor()

    /** The addresses [address]'s host resolves to for [network], in resolver order, as a future. */
    fun lookupAsync(network: Network, address: String): CompletableFuture<List<SocketAddress>> {
        val (host, portText) = Addresses.splitHostPort(address)
        val port = Addresses.port(portText, address)
        val lookup = lookupHost
        return CompletableFuture.supplyAsync({
            Addresses.filter(network, host, lookup(host)).map { InetSocketAddress(it, port) }
        }, executor)
    }

    /** [lookupAsync] awaited cancellably; [DeadlineExceededException] at [deadline] (nanoTime, 0 = none). */
    suspend fun lookup(network: Network, address: String, deadline: Long): List<SocketAddress> {
        if (deadline == 0L) {
            return lookupAsync(network, address).await()
        }
        val left = deadline - System.nanoTime()
        if (left <= 0) {
            throw timeout(network, address)
        }
        // Null only when this timeout fired (a caller's own withTimeout stays a cancellation).
        return withTimeoutOrNull(left.nanoseconds) { lookupAsync(network, address).await() } ?: throw timeout(network, address)
    }

    /**
     * [lookupAsync] waited for by the calling thread: [DeadlineExceededException] at [deadline]
     * (nanoTime, 0 = none), [InterruptedIOException] on an interrupt (the interrupt status is kept,
     * as NetFD's blocking calls keep it).
     */
    fun lookupBlocking(network: Network, address: String, deadline: Long): List<SocketAddress> {
        val f = lookupAsync(network, address)
        try {
            return if (deadline == 0L) f.get() else f.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)
        } catch (e: ExecutionException) {
            throw e.cause ?: e
        } catch (e: TimeoutException) {
            throw timeout(network, address)
        } catch (e: InterruptedException) {
            Thread.currentThread().interrupt()
            throw InterruptedIOException("interrupted while resolving $address")
        }
    }

    /**
     * The exception a failed [lookupAsync] future reports, for future-based callers: its own,
     * not a [CompletionException]; a [TimeoutException] (from [CompletableFuture.orTimeout]) as
     * [DeadlineExceededException].
     */
    fun failure(err: Throwable, network: Network, address: String): Throwable = when {
        err is TimeoutException -> timeout(network, address)
        err is CompletionException && err.cause != null -> failure(err.cause!!, network, address)
        else -> err
    }

    /** Go's "dial tcp host:port: lookup host: i/o timeout" (Go leaves the address out). */
    private fun timeout(network: Network, address: String) =
        DeadlineExceededException("dial ${network.id} $address: lookup ${Addresses.splitHostPort(address).first}: i/o timeout")
}
