package io.netpoll.net.internal

import io.netpoll.DeadlineExceededException
import io.netpoll.net.Conn
import io.netpoll.poller.fd.NetFD
import io.netpoll.poller.sys.SockAddr
import io.netpoll.poller.sys.Sys
import java.io.IOException
import java.net.InetSocketAddress
import java.net.SocketAddress
import java.net.UnixDomainSocketAddress
import java.nio.channels.UnsupportedAddressTypeException
import java.util.concurrent.CancellationException
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CompletionException
import java.util.concurrent.Executor
import java.util.concurrent.TimeUnit

/**
 * Dialling (Go's Dialer.DialContext → dialSerial → netFD.connect), in three forms over one
 * algorithm: resolve the address, then try each resolved address in order until one connects;
 * the error of the first attempt is reported if all fail (or if time runs out after one failed).
 * With a timeout, the lookup gets the whole budget and each attempt an even share of the time
 * left (Go's partialDeadline, at least [saneMinimumNanos] when there is that much), and the whole
 * dial fails with [DeadlineExceededException] once it is spent.
 *
 * Name lookups block and cannot be interrupted, so all three forms wait for them through
 * [Resolver]: a dial that times out, is cancelled or is interrupted during the lookup returns at
 * once and leaves the lookup to finish in the background.
 */
internal object Dialer {
    /** Go's saneMinimum: a per-address share below this is raised when the total allows. */
    private const val saneMinimumNanos = 2_000_000_000L

    /** [partialDeadline]: no time is left (a value nanoTime arithmetic near now never produces). */
    private const val EXPIRED = Long.MIN_VALUE

    // ---- what to dial ----------------------------------------------------------------------------

    /**
     * One dial's target: its [network], the [address] as the caller gave it (looked up when
     * [targets] is null, and named in errors), and the socket addresses to try if no lookup is needed.
     */
    class Plan(val network: Network, val address: String, val targets: List<SocketAddress>?)

    /** [address] in [network]: IllegalArgumentException if malformed. */
    fun plan(network: Network, address: String): Plan = Plan(network, address, literalTargets(network, address))

    /**
     * A socket address: a Unix socket path, an IP address and port (dialled as it is), or an
     * unresolved host and port (looked up as "tcp" would). Any other kind is an
     * [UnsupportedAddressTypeException], the JDK's error for it.
     */
    fun plan(remote: SocketAddress): Plan = when (remote) {
        is UnixDomainSocketAddress -> Plan(Network.UNIX, remote.path.toString(), listOf(remote))
        is InetSocketAddress -> {
            val host = remote.hostString
            val hostPort = if (host.contains(':')) "[$host]:${remote.port}" else "$host:${remote.port}"
            Plan(Network.TCP, hostPort, if (remote.isUnresolved) null else listOf(remote))
        }
        else -> throw UnsupportedAddressTypeException()
    }

    // ---- suspend ---------------------------------------------------------------------------------

    suspend fun dial(plan: Plan, timeoutNanos: Long): Conn {
        val deadline = if (timeoutNanos > 0) System.nanoTime() + timeoutNanos else 0L
        val targets = plan.targets ?: Resolver.lookup(plan.network, plan.address, deadline)
        return dialSerial(plan, targets, deadline)
    }

    /** Go's dialSerial: each target in turn; the first error if none connects. [deadline] 0 = none. */
    suspend fun dialSerial(plan: Plan, targets: List<SocketAddress>, deadline: Long): Conn {
        var first: IOException? = null
        for (i in targets.indices) {
            val partial = partialDeadline(deadline, targets.size - i)
            if (partial == EXPIRED) {
                throw first ?: timeout(plan)
            }
            val conn = Conn.of(NetFD.socket(SockAddr.family(targets[i]), Sys.SOCK_STREAM))
            try {
                conn.io.connect(targets[i], partial)
                return conn
            } catch (e: IOException) {
                conn.close()
                if (first == null) first = e
            } catch (e: Throwable) {
                conn.close()
                throw e
            }
        }
        throw first!!
    }

    // ---- blocking ------------------------------------------------------------------------------

    fun dialBlocking(plan: Plan, timeoutNanos: Long): Conn {
        val deadline = if (timeoutNanos > 0) System.nanoTime() + timeoutNanos else 0L
        val targets = plan.targets ?: Resolver.lookupBlocking(plan.network, plan.address, deadline)
        var first: IOException? = null
        for (i in targets.indices) {
            val partial = partialDeadline(deadline, targets.size - i)
            if (partial == EXPIRED) {
                throw first ?: timeout(plan)
            }
            try {
                return Conn.of(NetFD.dial(targets[i], if (partial == 0L) 0L else partial - System.nanoTime()))
            } catch (e: IOException) {
                if (first == null) first = e
            }
        }
        throw first!!
    }

    // ---- CompletableFuture -----------------------------------------------------------------------

    /**
     * Completing the returned future from outside (cancel, orTimeout) withdraws the dial in
     * flight, which closes its socket (NetFD.dialAsync); a connection made just before, which
     * nobody can receive now, is closed.
     */
    fun dialAsync(plan: () -> Plan, timeoutNanos: Long, executor: Executor): CompletableFuture<Conn> {
        val result = CompletableFuture<Conn>()
        val deadline = if (timeoutNanos > 0) System.nanoTime() + timeoutNanos else 0L
        val attempts = try {
            val p = plan()
            val literal = p.targets
            if (literal != null) {
                attemptAsync(p, literal, 0, deadline, null, executor, result)
            } else {
                var lookup = Resolver.lookupAsync(p.network, p.address)
                if (deadline != 0L) {
                    lookup = lookup.orTimeout(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)
                }
                lookup.handleAsync({ targets, err ->
                    if (err != null) CompletableFuture.failedFuture(Resolver.failure(err, p.network, p.address))
                    else attemptAsync(p, targets, 0, deadline, null, executor, result)
                }, executor).thenCompose { it }
            }
        } catch (e: Exception) {
            return CompletableFuture.failedFuture(e)
        }
        attempts.whenComplete { conn, err ->
            if (err != null) {
                result.completeExceptionally(unwrap(err))
            } else if (!result.complete(conn)) {
                conn.close()
            }
        }
        return result
    }

    private fun attemptAsync(
        plan: Plan, targets: List<SocketAddress>, i: Int, deadline: Long, first: Throwable?, executor: Executor,
        result: CompletableFuture<Conn>,
    ): CompletableFuture<Conn> {
        if (i == targets.size) {
            return CompletableFuture.failedFuture(first)
        }
        if (result.isDone) {
            return CompletableFuture.failedFuture(CancellationException("the dial was completed from outside"))
        }
        val partial = partialDeadline(deadline, targets.size - i)
        if (partial == EXPIRED) {
            return CompletableFuture.failedFuture(first ?: timeout(plan))
        }
        val timeout = if (partial == 0L) 0L else maxOf(1L, partial - System.nanoTime())
        val dial = NetFD.dialAsync(targets[i], timeout, executor)
        result.whenComplete { _, err ->
            if (err != null) {
                dial.cancel(false)
            }
        }
        return dial.handle { fd, err ->
            if (fd != null) CompletableFuture.completedFuture(Conn.of(fd))
            else attemptAsync(plan, targets, i + 1, deadline, first ?: unwrap(err), executor, result)
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

    /**
     * Go's partialDeadline: the deadline for one of [addrsRemaining] attempts, 0 if there is no
     * overall deadline, [EXPIRED] if the overall one has passed.
     */
    private fun partialDeadline(deadline: Long, addrsRemaining: Int): Long {
        if (deadline == 0L) {
            return 0L
        }
        val now = System.nanoTime()
        val remaining = deadline - now
        if (remaining <= 0) {
            return EXPIRED
        }
        var timeout = remaining / addrsRemaining
        if (timeout < saneMinimumNanos) {
            timeout = if (remaining < saneMinimumNanos) remaining else saneMinimumNanos
        }
        return now + timeout
    }

    /** The dial ran out of time before an attempt (Go: "dial tcp host:port: i/o timeout"). */
    private fun timeout(plan: Plan) = DeadlineExceededException("dial ${plan.network.id} ${plan.address}: i/o timeout")
}
