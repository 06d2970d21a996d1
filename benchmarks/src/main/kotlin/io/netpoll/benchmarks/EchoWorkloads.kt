package io.netpoll.benchmarks

import io.netpoll.net.Conn
import io.netpoll.net.Net
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import java.io.Closeable
import java.net.InetSocketAddress
import java.net.StandardSocketOptions
import java.nio.ByteBuffer
import java.nio.channels.AsynchronousCloseException
import java.nio.channels.ServerSocketChannel
import java.nio.channels.SocketChannel
import java.util.concurrent.Callable
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors

/**
 * Echo round trips over loopback TCP for EchoBenchmark. One [round] = every client connection
 * sends one [size]-byte message and reads the whole echo back, all connections at once.
 */
interface EchoWorkload : Closeable {
    fun round(): Int
}

/**
 * net-kt on [dispatcher]: an echo server (one coroutine per connection) and [connections] client
 * coroutines, all on the same dispatcher. The JMH thread starts each round with runBlocking and
 * launches one coroutine per connection on [dispatcher].
 */
class NetKtEcho(private val dispatcher: CoroutineDispatcher, connections: Int, size: Int) : EchoWorkload {
    private val scope = CoroutineScope(dispatcher + SupervisorJob())
    private val listener = Net.listen("tcp", "127.0.0.1:0")
    private val clients: List<Conn>
    private val out = List(connections) { ByteBuffer.allocateDirect(size) }
    private val back = List(connections) { ByteBuffer.allocateDirect(size) }

    init {
        scope.launch {
            while (true) {
                val c = try {
                    listener.accept()
                } catch (e: AsynchronousCloseException) {
                    break
                }
                launch {
                    c.use {
                        val b = ByteBuffer.allocateDirect(64 * 1024)
                        while (it.read(b.clear()) > 0) {
                            it.write(b.flip())
                        }
                    }
                }
            }
        }
        val port = (listener.localAddress as InetSocketAddress).port
        clients = runBlocking(dispatcher) { List(connections) { Net.dial("tcp", "127.0.0.1:$port") } }
    }

    override fun round(): Int = runBlocking {
        for (i in clients.indices) {
            launch(dispatcher) {
                clients[i].write(out[i].clear())
                clients[i].readFully(back[i].clear())
            }
        }
        clients.size
    }

    override fun close() {
        clients.forEach { it.close() }
        listener.close()
        scope.cancel()
    }
}

/**
 * Plain blocking java.nio: a thread-per-connection echo server and [connections] blocking
 * SocketChannels. With one connection the JMH thread does the round trip itself; with more, a
 * pool of one thread per connection runs them and the JMH thread waits for all.
 */
class NioEcho(connections: Int, size: Int) : EchoWorkload {
    private val server = ServerSocketChannel.open().bind(InetSocketAddress("127.0.0.1", 0), 4096)
    private val serverThreads = mutableListOf<Thread>()
    private val clients: List<SocketChannel>
    private val pool: ExecutorService? = if (connections > 1) Executors.newFixedThreadPool(connections) else null
    private val tasks: List<Callable<Unit>>

    init {
        val acceptor = Thread {
            while (true) {
                val c = try {
                    server.accept()
                } catch (e: Exception) {
                    break
                }
                c.setOption(StandardSocketOptions.TCP_NODELAY, true)
                val t = Thread {
                    val b = ByteBuffer.allocateDirect(64 * 1024)
                    try {
                        c.use {
                            while (it.read(b.clear()) > 0) {
                                b.flip()
                                while (b.hasRemaining()) it.write(b)
                            }
                        }
                    } catch (e: Exception) {
                        // the benchmark closes its clients at teardown
                    }
                }
                t.isDaemon = true
                t.start()
                synchronized(serverThreads) { serverThreads += t }
            }
        }
        acceptor.isDaemon = true
        acceptor.start()
        clients = List(connections) {
            SocketChannel.open(server.localAddress).also { it.setOption(StandardSocketOptions.TCP_NODELAY, true) }
        }
        tasks = clients.map { c ->
            val out = ByteBuffer.allocateDirect(size)
            val back = ByteBuffer.allocateDirect(size)
            Callable {
                out.clear()
                while (out.hasRemaining()) c.write(out)
                back.clear()
                while (back.hasRemaining()) {
                    if (c.read(back) < 0) error("echo server closed")
                }
            }
        }
    }

    override fun round(): Int {
        if (pool == null) {
            tasks[0].call()
        } else {
            pool.invokeAll(tasks).forEach { it.get() }
        }
        return clients.size
    }

    override fun close() {
        pool?.shutdownNow()
        clients.forEach { it.close() }
        server.close()
    }
}
