package io.netpoll.samples.server

import io.netpoll.dispatcher.Netpoll
import io.netpoll.dispatcher.NetpollDispatcher
import io.netpoll.poller.Netpoll as ProcessNetpoll
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import java.io.Closeable

/**
 * The coroutine dispatcher a sample runs on (`--dispatcher netpoll|default`, `--parallelism N`)
 * and the runtime stats the samples expose (RESP INFO, HTTP /stats, `--stats`).
 *
 * `netpoll` is the shared `Dispatchers.Netpoll`, or a private `NetpollDispatcher(N)` when
 * `--parallelism` is given; `default` is kotlinx's `Dispatchers.Default` (limited to N when
 * given), where the same server code runs with the Netpoll's own driver thread doing the polling.
 * The stats always include the process's one [ProcessNetpoll], whoever drives it.
 */
class ServerRuntime(val kind: String, parallelism: Int?) : Closeable {
    private val owned: NetpollDispatcher? =
        if (kind == NETPOLL && parallelism != null) NetpollDispatcher(parallelism, name = "netpoll-samples") else null

    private val netpoll: NetpollDispatcher? = if (kind == NETPOLL) owned ?: Dispatchers.Netpoll else null

    val dispatcher: CoroutineDispatcher = when {
        netpoll != null -> netpoll
        parallelism != null -> Dispatchers.Default.limitedParallelism(parallelism)
        else -> Dispatchers.Default
    }

    /** `name:value` lines (CRLF-terminated, INFO style). */
    fun statsLines(): String = stats().joinToString("") { (k, v) -> "$k:$v\r\n" }

    /** One JSON object. */
    fun statsJson(extra: List<Pair<String, Any>> = emptyList()): String =
        (stats() + extra).joinToString(",", "{", "}") { (k, v) -> "\"$k\":${if (v is Number || v is Boolean) v else "\"$v\""}" }

    fun stats(): List<Pair<String, Any>> {
        val p = ProcessNetpoll.get().stats()
        val out = arrayListOf<Pair<String, Any>>(
            "dispatcher" to kind,
            "netpoll_id" to Integer.toHexString(System.identityHashCode(ProcessNetpoll.get())),
            "netpoll_backend" to p.backend(),
            "netpoll_descriptors" to p.descriptors(),
            "netpoll_waiters" to p.waiters(),
            "netpoll_deadlines" to p.deadlines(),
            "netpoll_events" to p.events(),
            "netpoll_blocking_polls" to p.blockingPolls(),
            "netpoll_nonblocking_polls" to p.nonBlockingPolls(),
            "netpoll_wakeup_writes" to p.wakeupWrites(),
            "netpoll_drivers" to p.drivers(),
            "netpoll_driver_thread" to p.driverThread(),
        )
        val d = netpoll ?: return out
        val s = d.stats()
        out += listOf(
            "sched_parallelism" to s.parallelism,
            "sched_idle_procs" to s.idleProcs,
            "sched_threads" to s.threads,
            "sched_idle_threads" to s.idleThreads,
            "sched_spinning_threads" to s.spinningThreads,
            "sched_blocking_sections" to s.blockingSections,
            "sched_global_queue" to s.globalQueue,
            "sched_local_queues" to s.localQueues.sum(),
            "sched_timers" to s.timers,
            "sched_steals" to s.steals,
            "sched_parks" to s.parks,
            "sched_poll_waits" to s.pollWaits,
            "sched_poll_events" to s.pollEvents,
        )
        return out
    }

    override fun close() {
        owned?.close()
    }

    companion object {
        const val NETPOLL = "netpoll"
        const val DEFAULT = "default"
        val KINDS = listOf(NETPOLL, DEFAULT)
    }
}
