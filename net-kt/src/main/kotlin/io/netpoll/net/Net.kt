package io.netpoll.net

import io.netpoll.net.internal.Addresses
import io.netpoll.net.internal.Deadlines
import io.netpoll.net.internal.Dialer
import io.netpoll.net.internal.Network
import io.netpoll.poller.fd.NetFD
import java.io.IOException
import java.net.InetSocketAddress
import java.net.SocketAddress
import java.net.UnixDomainSocketAddress
import java.nio.file.Path
import java.util.concurrent.CompletableFuture
import java.util.concurrent.Executor
import kotlin.time.Duration

/**
 * Entry points of Go's net package: [listen], [dial], [listenPacket].
 *
 * Networks: "tcp", "tcp4", "tcp6", "unix" for streams; "udp", "udp4", "udp6" for datagrams.
 * Addresses are Go's: "127.0.0.1:0", ":8080", "[::1]:0", "localhost:0"; a filesystem path for
 * "unix". An unknown network or a malformed address is an [IllegalArgumentException]; an unknown
 * host a [java.net.UnknownHostException]; a taken address a [java.net.BindException]; a refused
 * connection a [java.net.ConnectException]; a dial timeout an
 * [io.netpoll.DeadlineExceededException] (a [java.net.SocketTimeoutException]). Their messages
 * name the operation, network and address as Go's do: `dial tcp 127.0.0.1:21599: Connection
 * refused (connect, errno 111)`, `dial tcp 127.0.0.1:8080: i/o timeout`.
 *
 * The suspend functions are for Kotlin; Java calls the `*Blocking` and `*Async` forms.
 */
object Net {
    /**
     * A listening socket (Go's net.Listen). A host name resolves (blocking); port 0 picks a free
     * port; SO_REUSEADDR is on for TCP, as in Go.
     */
    @JvmStatic
    @JvmOverloads
    @Throws(IOException::class)
    fun listen(network: String, address: String, options: ListenOptions = ListenOptions.DEFAULT): Listener {
        val net = Network.of(network, Network.TCP, Network.TCP4, Network.TCP6, Network.UNIX)
        val local = Addresses.listenAddress(net, address)
        val fd = NetFD.listen(local, options.backlog, options.reusePort)
        val unixPath: Path? = (local as? UnixDomainSocketAddress)?.path?.takeIf { it.toString().isNotEmpty() }
        return Listener.of(fd, unixPath)
    }

    /**
     * Connects to [address] (Go's net.Dial / DialTimeout). Host names resolve without blocking
     * the caller's dispatcher; each resolved address is tried in turn (Go's dialSerial).
     * [timeout] bounds the whole dial including the lookup; null = the kernel's own limit, and a
     * timeout of centuries ([Duration.INFINITE]) is as good as none. A lookup still running when
     * the dial times out or is cancelled is abandoned (it finishes in the background).
     * Cancellation ends the dial with CancellationException and closes the half-made socket.
     */
    @JvmSynthetic
    suspend fun dial(network: String, address: String, timeout: Duration? = null): Conn {
        val net = Network.of(network, Network.TCP, Network.TCP4, Network.TCP6, Network.UNIX)
        return Dialer.dial(Dialer.plan(net, address), timeoutNanos(timeout))
    }

    /**
     * Connects to a socket address: an [InetSocketAddress] over TCP (an unresolved one, from
     * [InetSocketAddress.createUnresolved], is looked up as [dial] with a host name does), a
     * [java.net.UnixDomainSocketAddress] over a Unix socket. Any other kind of address is an
     * [java.nio.channels.UnsupportedAddressTypeException]. [timeout], errors and cancellation as
     * for the string form.
     */
    @JvmSynthetic
    suspend fun dial(address: SocketAddress, timeout: Duration? = null): Conn =
        Dialer.dial(Dialer.plan(address), timeoutNanos(timeout))

    /** A bound datagram socket (Go's net.ListenPacket). */
    @JvmStatic
    @Throws(IOException::class)
    fun listenPacket(network: String, address: String): PacketConn {
        val net = Network.of(network, Network.UDP, Network.UDP4, Network.UDP6)
        return PacketConn.of(NetFD.bindDatagram(Addresses.listenAddress(net, address)))
    }

    // ---- Java facade -----------------------------------------------------------------------------

    /**
     * [dial] for Java: parks the calling thread. [timeout] null = no limit; it bounds the lookup
     * too. An interrupt ends the dial with [java.io.InterruptedIOException].
     */
    @JvmStatic
    @JvmOverloads
    @Throws(IOException::class)
    fun dialBlocking(network: String, address: String, timeout: java.time.Duration? = null): Conn {
        val net = Network.of(network, Network.TCP, Network.TCP4, Network.TCP6, Network.UNIX)
        return Dialer.dialBlocking(Dialer.plan(net, address), timeoutNanos(timeout))
    }

    /** [dial] of a [SocketAddress] for Java: parks the calling thread, as the string form does. */
    @JvmStatic
    @JvmOverloads
    @Throws(IOException::class)
    fun dialBlocking(address: SocketAddress, timeout: java.time.Duration? = null): Conn =
        Dialer.dialBlocking(Dialer.plan(address), timeoutNanos(timeout))

    /**
     * [dial] for Java as a future, completed on [executor] (the common pool by default). Every
     * failure, a bad network, address or timeout included, is the future's exception: this call
     * itself never throws.
     */
    @JvmStatic
    @JvmOverloads
    fun dialAsync(
        network: String,
        address: String,
        timeout: java.time.Duration? = null,
        executor: Executor = NetFD.defaultExecutor(),
    ): CompletableFuture<Conn> {
        val net: Network
        val nanos: Long
        try {
            net = Network.of(network, Network.TCP, Network.TCP4, Network.TCP6, Network.UNIX)
            nanos = timeoutNanos(timeout)
        } catch (e: IllegalArgumentException) {
            return CompletableFuture.failedFuture(e)
        }
        return Dialer.dialAsync({ Dialer.plan(net, address) }, nanos, executor)
    }

    /** [dial] of a [SocketAddress] for Java as a future; every failure is the future's, as in the string form. */
    @JvmStatic
    @JvmOverloads
    fun dialAsync(
        address: SocketAddress,
        timeout: java.time.Duration? = null,
        executor: Executor = NetFD.defaultExecutor(),
    ): CompletableFuture<Conn> {
        val nanos = try {
            timeoutNanos(timeout)
        } catch (e: IllegalArgumentException) {
            return CompletableFuture.failedFuture(e)
        }
        return Dialer.dialAsync({ Dialer.plan(address) }, nanos, executor)
    }

    /**
     * A timeout in nanoseconds (0 = none), at most [Deadlines.maxDeltaNanos] as deadlines are:
     * nanoTime + timeout must not wrap around, since the poller's timer heap orders deadlines by
     * their difference, and a wrapped one would sort before timers already due and hold them up.
     */
    internal fun timeoutNanos(timeout: Duration?): Long {
        if (timeout == null) return 0L
        require(timeout.isPositive()) { "timeout must be positive, was $timeout" }
        return timeout.inWholeNanoseconds.coerceAtMost(Deadlines.maxDeltaNanos)
    }

    internal fun timeoutNanos(timeout: java.time.Duration?): Long {
        if (timeout == null) return 0L
        require(!timeout.isNegative && !timeout.isZero) { "timeout must be positive, was $timeout" }
        return if (timeout.seconds >= Deadlines.maxDeltaNanos / 1_000_000_000L) Deadlines.maxDeltaNanos else timeout.toNanos()
    }
}
