package io.netpoll.net.internal

import kotlinx.coroutines.yield
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.coroutineContext

/**
 * The cooperative budget: fairness for I/O that never waits (tokio's `coop` module).
 *
 * The problem. Coroutines are not preempted, and a read that finds data or a write that finds
 * buffer space completes without suspending. A connection whose peer keeps it busy (a client
 * streaming both ways through the echo server) therefore keeps its thread for as long as the data
 * lasts, and every other coroutine queued on that thread waits: with the echo server on one core,
 * two such clients delayed a third client's 64-byte round trips (one every 10 ms) to p99 87 ms,
 * max 238 ms. Go preempts a goroutine after a 10 ms slice; tokio instead gives each task a budget
 * of I/O operations per turn, and so does this.
 *
 * The protocol. Every suspending socket call ([Conn.read], [Conn.write], [Conn.awaitReadable],
 * [Conn.readFully] through its reads, the TLS conn's read, readFully and write, and so
 * [BufReader] / [BufWriter] through them) first [spend]s one unit. When the budget is exhausted
 * the call yields first ([yieldTurn]: kotlinx `yield()`, which on `Dispatchers.Netpoll` and
 * `Dispatchers.Default` goes to the tail of the local queue, behind everything already waiting;
 * `Dispatchers.Netpoll`'s worker also polls the network and its global queue before it runs the
 * next task, see its Worker) and the budget refills; then it does its I/O. A call whose fast attempt fails — it is about to
 * suspend for data, buffer space or the lock, and so give up its thread — refills the budget
 * ([refill]). Yielding before the I/O rather than after it keeps cancellation clean: a coroutine
 * cancelled while it yields gets CancellationException from a call that has taken no bytes, so
 * the stream stays intact (a yield after a read would have to drop, or hide, the cancellation).
 *
 * Per task. The budget lives in a per-thread record (a ThreadLocal: it works on every dispatcher
 * and on virtual threads) that also notes its owner, the spending coroutine's context (one object
 * per coroutine, compared by identity). A different coroutine spending from the record takes it
 * over with a full budget, so coroutines interleaving on one thread each get their own allowance,
 * and a coroutine that moved to another thread starts fresh there. [Conn.awaitReadable] cannot see
 * whether it suspended (its fast path and its wait are one call into SuspendingFD) and does not
 * refill; after it waits, the budget refills as soon as another coroutine uses the thread, so the
 * cost is at most one early yield when none does. The record keeps a reference to the last owner's
 * context until another coroutine spends on that thread.
 *
 * Outside a dispatcher (the TLS conn's blocking facade, a bare `startCoroutine`) `yield()` returns
 * at once: there is nothing to yield to.
 *
 * The size, [BUDGET] = 128 (tokio's), chosen with benchmarks/run.sh's `fairness` workload: the
 * echo sample on `Dispatchers.Netpoll` with one P, pinned to one core; on the other core two
 * connections streaming 16 KiB writes both ways and a third timing a 64-byte round trip every
 * 10 ms. Medians of 3 runs of 5 s, on 2 cores shared with other work:
 *
 *     budget   probe p50   probe p99   probe max   streams
 *     none       29.3 ms      474 ms      505 ms   1,163 MiB/s
 *     32         0.35 ms     2.10 ms     4.31 ms   1,137 MiB/s
 *     128        1.31 ms     2.75 ms     4.18 ms   1,235 MiB/s
 *     512        2.00 ms     14.9 ms     25.2 ms   1,303 MiB/s  (the one run other load left alone)
 *
 * 32 and 128 bound the probe alike, 128 yields a quarter as often, and above it the probe's wait
 * grows with the turn. (A later run beside Go's echo server, the machine busier: Go p50 10.4 ms,
 * p99 29.8 ms, max 35.4 ms; ours 2.18, 38.2 and 59.0 ms.)
 *
 * Hot path: [spend] is a ThreadLocal lookup, an identity compare and a decrement, no allocation;
 * a yield every [BUDGET] calls costs one dispatch (no allocation on `Dispatchers.Netpoll`: the
 * caller's frame already exists and the dispatched continuation is cached).
 */
@PublishedApi
internal object CoopBudget {
    /** I/O calls a coroutine may complete in a row, without suspending, before it yields. */
    const val BUDGET = 128

    /** One thread's budget and the coroutine it belongs to. Only its own thread touches it. */
    private class Record {
        @JvmField
        var owner: CoroutineContext? = null

        @JvmField
        var remaining = 0
    }

    private val records = ThreadLocal.withInitial(::Record)

    /**
     * Spends one unit of the budget of the coroutine whose context is [context]; true if it was
     * exhausted, and the caller must [yieldTurn] before its I/O.
     */
    @PublishedApi
    @JvmStatic
    internal fun spend(context: CoroutineContext): Boolean {
        // hot path: no allocation
        val r = records.get()
        if (r.owner !== context) {
            r.owner = context
            r.remaining = BUDGET - 1
            return false
        }
        if (r.remaining > 0) {
            r.remaining--
            return false
        }
        return true
    }

    /** The coroutine of [context] is about to suspend (give up its thread): a full budget. */
    @PublishedApi
    @JvmStatic
    internal fun refill(context: CoroutineContext) {
        val r = records.get()
        r.owner = context
        r.remaining = BUDGET
    }

    /**
     * Lets everything queued on this thread run, then refills the budget on the thread it resumed
     * on. Inline, so that the yield suspends the caller's own frame: a function of its own would
     * allocate its frame and a dispatched continuation for it at every yield.
     */
    @Suppress("NOTHING_TO_INLINE")
    @PublishedApi
    internal suspend inline fun yieldTurn() {
        yield()
        refill(coroutineContext)
    }
}
