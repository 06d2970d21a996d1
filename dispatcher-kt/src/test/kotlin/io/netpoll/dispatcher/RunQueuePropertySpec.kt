@file:OptIn(io.kotest.common.ExperimentalKotest::class)

package io.netpoll.dispatcher

import io.kotest.assertions.withClue
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.property.Arb
import io.kotest.property.PropTestConfig
import io.kotest.property.arbitrary.boolean
import io.kotest.property.arbitrary.choice
import io.kotest.property.arbitrary.int
import io.kotest.property.arbitrary.list
import io.kotest.property.arbitrary.map
import io.kotest.property.arbitrary.of
import io.kotest.property.checkAll
import io.netpoll.testing.PropertyScale.scaled
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicIntegerArray

private class Job(val id: Int) : Runnable {
    override fun run() {}

    override fun toString() = "Job($id)"
}

/** One call on the run queues: the owner's queue `a`, a second P's queue `b`, and the global queue. */
private sealed interface QueueOp {
    /** [n] new tasks put by `a`'s owner, each as runnext when [next]. */
    data class Put(val n: Int, val next: Boolean) : QueueOp
    data object Poll : QueueOp
    data object TakeRunnext : QueueOp

    /** `b` (emptied first, as a thief's queue is) steals from `a`. */
    data class Steal(val runnext: Boolean) : QueueOp

    /** `b`'s owner takes from the global queue (Go's globrunqget) with [parallelism] Ps and [max]. */
    data class FromGlobal(val parallelism: Int, val max: Int) : QueueOp
}

/** The run queues as plain lists: what LocalRunQueue and GlobalRunQueue must do, without the atomics. */
private class Model {
    class Local {
        val q = ArrayDeque<Int>()
        var runnext: Int? = null
    }

    val global = ArrayDeque<Int>()

    fun put(l: Local, task: Int, next: Boolean) {
        var t = task
        if (next) {
            t = l.runnext ?: run {
                l.runnext = task
                return
            }
            l.runnext = task
        }
        if (l.q.size < LocalRunQueue.SIZE) {
            l.q.addLast(t)
            return
        }
        repeat(l.q.size / 2) { global.addLast(l.q.removeFirst()) }
        global.addLast(t)
    }

    fun steal(victim: Local, thief: Local, runnext: Boolean): Int? {
        val n = victim.q.size - victim.q.size / 2
        if (n == 0) {
            return if (runnext) victim.runnext.also { victim.runnext = null } else null
        }
        repeat(n) { thief.q.addLast(victim.q.removeFirst()) }
        return thief.q.removeLast()
    }

    fun fromGlobal(l: Local, parallelism: Int, max: Int): Int? {
        if (global.isEmpty()) {
            return null
        }
        var n = minOf(global.size, global.size / parallelism + 1, LocalRunQueue.SIZE / 2)
        if (max in 1 until n) {
            n = max
        }
        val first = global.removeFirst()
        repeat(n - 1) { put(l, global.removeFirst(), false) }
        return first
    }
}

private fun Runnable?.id(): Int? = (this as Job?)?.id

private val ops: Arb<List<QueueOp>> = Arb.list(
    Arb.choice(
        Arb.choice(Arb.int(1..3), Arb.int(100..300)).map { QueueOp.Put(it, false) }, // enough to overflow a local queue
        Arb.int(1..3).map { QueueOp.Put(it, true) },
        Arb.of(QueueOp.Poll, QueueOp.TakeRunnext),
        Arb.boolean().map { QueueOp.Steal(it) },
        Arb.int(1..4).map { QueueOp.FromGlobal(it, 0) },
        Arb.int(1..4).map { QueueOp.FromGlobal(2, it) },
    ),
    0..60,
)

/** Owner operations for the concurrent property: put (as runnext or not), poll, take runnext. */
private val ownerOps: Arb<List<Int>> = Arb.list(Arb.int(0..5), 1_000..20_000)

class RunQueuePropertySpec : FunSpec({
    test("any sequence of put, runnext, poll, steal, overflow to and batches from the global queue equals a list model") {
        var iterations = 0
        var tasks = 0L
        checkAll(PropTestConfig(iterations = scaled(300)), ops) { ops ->
            val global = GlobalRunQueue(Any())
            val a = LocalRunQueue(global)
            val b = LocalRunQueue(global)
            val m = Model()
            val ma = Model.Local()
            val mb = Model.Local()
            var nextId = 0
            ops.forEachIndexed { i, op ->
                withClue("op $i $op") {
                    when (op) {
                        is QueueOp.Put -> repeat(op.n) {
                            val id = nextId++
                            a.put(Job(id), op.next)
                            m.put(ma, id, op.next)
                        }
                        QueueOp.Poll -> a.poll().id() shouldBe ma.q.removeFirstOrNull()
                        QueueOp.TakeRunnext -> a.takeRunnext().id() shouldBe ma.runnext.also { ma.runnext = null }
                        is QueueOp.Steal -> {
                            while (true) {
                                (b.poll() ?: break).id() shouldBe mb.q.removeFirst()
                            }
                            mb.q.size shouldBe 0
                            b.stealFrom(a, op.runnext).id() shouldBe m.steal(ma, mb, op.runnext)
                        }
                        is QueueOp.FromGlobal ->
                            synchronized(global.lock) { global.getBatchLocked(b, op.parallelism, op.max) }.id() shouldBe
                                m.fromGlobal(mb, op.parallelism, op.max)
                    }
                    a.size() shouldBe ma.q.size
                    b.size() shouldBe mb.q.size
                    global.size shouldBe m.global.size
                    a.isEmpty() shouldBe (ma.q.isEmpty() && ma.runnext == null)
                }
            }
            val left = mutableListOf<Int?>()
            a.drainTo { left += it.id() }
            b.drainTo { left += it.id() }
            synchronized(global.lock) {
                while (true) left += (global.pollLocked() ?: break).id()
            }
            left shouldBe listOfNotNull(ma.runnext) + ma.q + listOfNotNull(mb.runnext) + mb.q + m.global
            iterations++
            tasks += nextId
        }
        println("run queue model check: $iterations sequences, $tasks tasks, every result and size equal to the list model")
    }

    test("while the owner puts and polls and thieves steal and take from the global queue, every task runs exactly once") {
        var iterations = 0
        var total = 0L
        val started = System.nanoTime()
        checkAll(PropTestConfig(iterations = scaled(40)), ownerOps, Arb.int(1..3), Arb.boolean()) { ops, thieves, stealRunnext ->
            val global = GlobalRunQueue(Any())
            val owner = LocalRunQueue(global)
            val runs = AtomicIntegerArray(ops.size)
            val producing = AtomicBoolean(true)
            val threads = (0 until thieves).map {
                Thread {
                    val mine = LocalRunQueue(global)
                    fun runAll(first: Runnable?) {
                        var t = first
                        while (t != null) {
                            runs.incrementAndGet(t.id()!!)
                            t = mine.poll()
                        }
                    }
                    // runnext is left to the owner when thieves may not take it
                    while (producing.get() || owner.size() > 0 || global.size > 0) {
                        runAll(mine.stealFrom(owner, stealRunnext))
                        runAll(synchronized(global.lock) { global.getBatchLocked(mine, thieves + 1, 0) })
                    }
                }.apply { start() }
            }
            ops.forEachIndexed { id, op ->
                when (op) {
                    0, 1, 2 -> owner.put(Job(id), false)
                    3 -> owner.put(Job(id), true)
                    4 -> owner.poll()?.let { runs.incrementAndGet(it.id()!!) }.also { owner.put(Job(id), false) }
                    else -> owner.takeRunnext()?.let { runs.incrementAndGet(it.id()!!) }.also { owner.put(Job(id), true) }
                }
            }
            producing.set(false)
            threads.forEach { it.join(TimeUnit.SECONDS.toMillis(20)) }
            threads.any { it.isAlive } shouldBe false
            owner.drainTo { runs.incrementAndGet(it.id()!!) }
            synchronized(global.lock) {
                while (true) runs.incrementAndGet((global.pollLocked() ?: break).id()!!)
            }
            val wrong = (0 until ops.size).filter { runs.get(it) != 1 }
            withClue("tasks not run exactly once (id to runs): ${wrong.take(10).map { it to runs.get(it) }}") {
                wrong.size shouldBe 0
            }
            iterations++
            total += ops.size
        }
        val ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)
        println("run queue concurrent property: $iterations runs, $total tasks with 1-3 thieves, each run exactly once, $ms ms")
    }
})
