package io.netpoll.micrometer

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.doubles.shouldBeGreaterThan
import io.kotest.matchers.doubles.shouldBeGreaterThanOrEqual
import io.kotest.matchers.shouldBe
import io.micrometer.core.instrument.MeterRegistry
import io.micrometer.core.instrument.simple.SimpleMeterRegistry
import io.netpoll.DeadlineExceededException
import io.netpoll.dispatcher.NetpollDispatcher
import io.netpoll.net.Net
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import java.net.InetSocketAddress
import java.nio.ByteBuffer
import java.time.Instant

/**
 * docs/observability.md's binding example, as the docs show it; only the `println` it prints
 * with is a parameter, so the test can read what it printed.
 */
fun observabilityDocsExample(println: (Any?) -> Unit) {
    val registry = SimpleMeterRegistry()                  // or the MeterRegistry of Spring Boot, Ktor...
    val dispatcher = NetpollDispatcher(name = "api")
    NetpollDispatcherMetrics(dispatcher).bindTo(registry)  // netpoll.scheduler.*, tagged dispatcher=api
    NetpollPollerMetrics().bindTo(registry)                // netpoll.poller.*, once per registry
    println(registry.get("netpoll.scheduler.procs").tag("dispatcher", "api").gauge().value())
    dispatcher.close()
}

private fun MeterRegistry.counted(name: String, vararg tags: String): Double =
    get(name).tags(*tags).functionCounter().count()

private fun MeterRegistry.gauged(name: String, vararg tags: String): Double = get(name).tags(*tags).gauge().value()

class MicrometerSpec : FunSpec({
    test("the docs' example binds the meters and prints the dispatcher's Ps") {
        val printed = mutableListOf<Any?>()
        observabilityDocsExample { printed += it }
        printed shouldBe listOf(Runtime.getRuntime().availableProcessors().toDouble())
    }

    test("the meters move with real socket traffic on a real dispatcher") {
        val registry = SimpleMeterRegistry()
        NetpollDispatcher(parallelism = 2, name = "metered").use { d ->
            NetpollDispatcherMetrics(d).bindTo(registry)
            NetpollPollerMetrics().bindTo(registry)
            val sched = arrayOf("dispatcher", "metered")
            val tasks = registry.counted("netpoll.scheduler.tasks", *sched)
            val pollEvents = registry.counted("netpoll.scheduler.poll.events", *sched)
            val parks = registry.counted("netpoll.poller.parks")
            val events = registry.counted("netpoll.poller.events")
            val expired = registry.counted("netpoll.poller.deadlines.expired")
            val polls = registry.counted("netpoll.poller.polls", "mode", "blocking") +
                registry.counted("netpoll.poller.polls", "mode", "nonblocking")
            var openSockets = 0.0

            runBlocking(d) {
                withTimeout(20_000) {
                    val ln = Net.listen("tcp", "127.0.0.1:0")
                    val server = launch {
                        ln.accept().use { c ->
                            val b = ByteBuffer.allocate(64)
                            while (c.read(b.clear()) > 0) c.write(b.flip())
                        }
                    }
                    val port = (ln.localAddress as InetSocketAddress).port
                    Net.dial("tcp", "127.0.0.1:$port").use { c ->
                        val b = ByteBuffer.allocate(64)
                        repeat(200) {
                            c.write(ByteBuffer.wrap("ping".toByteArray()))
                            c.readFully(b.clear().limit(4))
                        }
                        openSockets = registry.gauged("netpoll.poller.netfds")
                        c.setReadDeadline(Instant.now().plusMillis(50))
                        shouldThrow<DeadlineExceededException> { c.read(b.clear()) }
                    }
                    server.join()
                    ln.close()
                }
            }

            openSockets shouldBeGreaterThanOrEqual 3.0 // the listener and both ends
            registry.counted("netpoll.scheduler.tasks", *sched) shouldBeGreaterThan tasks
            registry.counted("netpoll.scheduler.poll.events", *sched) shouldBeGreaterThan pollEvents
            registry.counted("netpoll.poller.parks") shouldBeGreaterThan parks
            registry.counted("netpoll.poller.events") shouldBeGreaterThan events
            (registry.counted("netpoll.poller.deadlines.expired") - expired) shouldBe 1.0
            (registry.counted("netpoll.poller.polls", "mode", "blocking") +
                registry.counted("netpoll.poller.polls", "mode", "nonblocking")) shouldBeGreaterThan polls
            registry.gauged("netpoll.poller.waiters") shouldBe 0.0
            registry.gauged("netpoll.scheduler.procs", *sched) shouldBe 2.0
            for (p in 0..1) {
                registry.gauged("netpoll.scheduler.runqueue.local", *sched, "p", "$p") shouldBeGreaterThanOrEqual 0.0
            }
        }
    }
})
