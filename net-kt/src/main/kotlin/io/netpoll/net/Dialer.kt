package io.netpoll.net

import io.netpoll.DeadlineExceededException
import io.netpoll.poller.fd.NetFD
import io.netpoll.poller.sys.SockAddr
import io.netpoll.poller.sys.Sys
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.withTimeout
import java.io.IOException
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.SocketAddress
import java.net.UnixDomainSocketAddress
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CompletionException
import java.util.concurrent.Executor

/**
 * Dialling (Go's Dialer.DialContext → dialSerial → netFD.connect), in three forms over one
 * algorithm: resolve the address, then try each resolved address in order until one connects;
 * the error of the first attempt is reported if all fail (or if time runs out after one failed). With a timeout, each attempt gets an
 * even share of the time left (Go's partialDeadline, at least [saneMinimumNanos] when there is
 * that much), and the whole dial fails with [DeadlineExceededException] once it is spent.
 *
 * Name lookups block (the JDK resolver has no asynchronous form), so the suspend form runs them
 * off the caller's dispatcher ([Resolver]).
 */
internal object Dialer {
    /** Go's saneMinimum: a per-address share below this is raised when the total allows. */
    private const val saneMinimumNanos = 2_000_000_000L

    // ---- suspend ---------------------------------------------------------------------------------

    suspend fun dial(network: Network, address: String, timeoutNanos: Long): Conn {
        val deadline = if (timeoutNanos > 0) System.nanoTime() + timeoutNanos else 0L
        val targets = literalTargets(network, address) ?: resolveSuspending(network, address, deadline)
        return dialSerial(targets, deadline)
    }

    /** Go's dialSerial: each target in turn; the first error if none connects. [deadline] 0 = none. */
    suspend fun dialSerial(targets: List<SocketAddress>, deadline: Long): Conn {
        var first: IOException? = null
        for (i in targets.indices) {
            val partial = try {
                partialDeadline(deadline, targets.size - i)
            } catch (e: DeadlineExceededException) {
                throw first ?: e
            }
            val fd = NetFD.socket(SockAddr.family(targets[i]), Sys.SOCK_STREAM)
            try {
                SuspendingFD(fd).connect(targets[i], partial)
                return Conn(fd)
            } catch (e: IOException) {
                fd.close()
                if (first == null) first = e
            } catch (e: Throwable) {
                fd.close()
                throw e
            }
        }
        throw first!!
    }

    private suspend fun resolveSuspending(network: Network, address: String, deadline: Long): List<SocketAddress> {
        if (deadline == 0L) {
            return Resolver.offload { resolve(network, address) }
        }
        val left = deadline - System.nanoTime()
        if (left <= 0) throw DeadlineExceededException()
        try {
            return withTimeout(left / 1_000_000L + 1) { Resolver.offload { resolve(network, address) } }
        } catch (e: TimeoutCancellationException) {
            throw DeadlineExceededException("i/o timeout (resolving $address)")
        }
    }

    // ---- blocking ------------------------------------------------------------------------------

    fun dialBlocking(network: Network, address: String, timeoutNanos: Long): Conn {
        val deadline = if (timeoutNanos > 0) System.nanoTime() + timeoutNanos else 0L
        val targets = literalTargets(network, address) ?: resolve(network, address)
        var first: IOException? = null
        for (i in targets.indices) {
            val partial = try {
                partialDeadline(deadline, targets.size - i)
            } catch (e: DeadlineExceededException) {
                throw first ?: e
            }
            try {
                return Conn(NetFD.dial(targets[i], if (partial == 0L) 0L else partial - System.nanoTime()))
            } catch (e: IOException) {
                if (first == null) first = e
            }
        }
        throw first!!
    }

    // ---- CompletableFuture -----------------------------------------------------------------------

    fun dialAsync(network: Network, address: String, timeoutNanos: Long, executor: Executor): CompletableFuture<Conn> {
        val deadline = if (timeoutNanos > 0) System.nanoTime() + timeoutNanos else 0L
        val literal = try {
            literalTargets(network, address)
        } catch (e: Exception) {
            return CompletableFuture.failedFuture(e)
        }
        val targets = if (literal != null) CompletableFuture.completedFuture(literal)
        else CompletableFuture.supplyAsync({ resolve(network, address) }, executor)
        return targets.thenCompose { attemptAsync(it, 0, deadline, null, executor) }
    }

    private fun attemptAsync(
        targets: List<SocketAddress>, i: Int, deadline: Long, first: Throwable?, executor: Executor,
    ): CompletableFuture<Conn> {
        if (i == targets.size) {
            return CompletableFuture.failedFuture(first)
        }
        val partial = try {
            partialDeadline(deadline, targets.size - i)
        } catch (e: IOException) {
            return CompletableFuture.failedFuture(first ?: e)
        }
        val timeout = if (partial == 0L) 0L else maxOf(1L, partial - System.nanoTime())
        return NetFD.dialAsync(targets[i], timeout, executor).handle { fd, err ->
            if (fd != null) CompletableFuture.completedFuture(Conn(fd))
            else attemptAsync(targets, i + 1, deadline, first ?: unwrap(err), executor)
        }.thenCompose { it }
    }

    private fun unwrap(t: Throwable): Throwable = if (t is CompletionException && t.cause != null) t.cause!! else t

    // ---- shared ----------------------------------------------------------------------------------

    /** Targets that need no lookup (a path, an IP literal, an empty host), or null. */
    private fun literalTargets(network: Network, address: String): List<SocketAddress>? {
        if (network.unix) {
            return listOf(UnixDomainSocketAddress.of(address))
        }
        val (host, portText) = Addresses.splitHostPort(address)
        return Addresses.dialLiteral(network, host, Addresses.port(portText, address), address)
    }

    /** Resolves a host name (blocking the calling thread). */
    private fun resolve(network: Network, address: String): List<SocketAddress> {
        val (host, portText) = Addresses.splitHostPort(address)
        val port = Addresses.port(portText, address)
        return Addresses.filter(network, host, InetAddress.getAllByName(host)).map { InetSocketAddress(it, port) }
    }

    /**
     * Go's partialDeadline: the deadline for one of [addrsRemaining] attempts, 0 if there is no
     * overall deadline; [DeadlineExceededException] if the overall one has passed.
     */
    private fun partialDeadline(deadline: Long, addrsRemaining: Int): Long {
        if (deadline == 0L) {
            return 0L
        }
        val now = System.nanoTime()
        val remaining = deadline - now
        if (remaining <= 0) {
            throw DeadlineExceededException()
        }
        var timeout = remaining / addrsRemaining
        if (timeout < saneMinimumNanos) {
            timeout = if (remaining < saneMinimumNanos) remaining else saneMinimumNanos
        }
        return now + timeout
    }
}
