package io.netpoll.dispatcher

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeSameInstanceAs
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicIntegerArray

private class Task(val id: Int) : Runnable {
    override fun run() {}
}

class RunQueueSpec : FunSpec({
    test("runnext holds the latest task and moves the previous one to the tail") {
        val q = LocalRunQueue(GlobalRunQueue(Any()))
        val a = Task(1)
        val b = Task(2)
        val c = Task(3)
        q.put(a, false)
        q.put(b, true)
        q.put(c, true)
        q.takeRunnext() shouldBeSameInstanceAs c
        q.poll() shouldBeSameInstanceAs a
        q.poll() shouldBeSameInstanceAs b
        q.poll() shouldBe null
        q.isEmpty() shouldBe true
    }

    test("a full local queue moves half of itself and the new task to the global queue") {
        val global = GlobalRunQueue(Any())
        val q = LocalRunQueue(global)
        val tasks = (0..LocalRunQueue.SIZE).map { Task(it) }
        tasks.forEach { q.put(it, false) }
        q.size() shouldBe LocalRunQueue.SIZE / 2
        global.size shouldBe LocalRunQueue.SIZE / 2 + 1
        val fromGlobal = synchronized(global.lock) { (0 until global.size).map { (global.pollLocked() as Task).id } }
        fromGlobal shouldBe (0 until LocalRunQueue.SIZE / 2).toList() + LocalRunQueue.SIZE
        (q.poll() as Task).id shouldBe LocalRunQueue.SIZE / 2
    }

    test("a thief takes half of the victim's queue, oldest first") {
        val global = GlobalRunQueue(Any())
        val victim = LocalRunQueue(global)
        val thief = LocalRunQueue(global)
        (0 until 10).forEach { victim.put(Task(it), false) }
        (thief.stealFrom(victim, false) as Task).id shouldBe 4
        thief.size() shouldBe 4
        victim.size() shouldBe 5
        (thief.poll() as Task).id shouldBe 0
        (victim.poll() as Task).id shouldBe 5
    }

    test("runnext is stolen only when asked and the queue is empty") {
        val global = GlobalRunQueue(Any())
        val victim = LocalRunQueue(global)
        val thief = LocalRunQueue(global)
        val t = Task(7)
        victim.put(t, true)
        thief.stealFrom(victim, false) shouldBe null
        thief.stealFrom(victim, true) shouldBeSameInstanceAs t
        victim.isEmpty() shouldBe true
    }

    test("under concurrent stealing every task is consumed exactly once") {
        val total = 2_000_000
        val seen = AtomicIntegerArray(total)
        val global = GlobalRunQueue(Any())
        val owner = LocalRunQueue(global)
        val producing = AtomicBoolean(true)
        val thieves = (0 until 2).map {
            Thread {
                val mine = LocalRunQueue(global)
                while (producing.get() || !owner.isEmpty()) {
                    val first = mine.stealFrom(owner, true) ?: continue
                    seen.incrementAndGet((first as Task).id)
                    while (true) {
                        val next = mine.poll() ?: break
                        seen.incrementAndGet((next as Task).id)
                    }
                }
            }.apply { start() }
        }
        val started = System.nanoTime()
        for (i in 0 until total) {
            owner.put(Task(i), i % 3 == 0)
            if (i % 2 == 0) {
                owner.poll()?.let { seen.incrementAndGet((it as Task).id) }
            }
        }
        producing.set(false)
        thieves.forEach { it.join(30_000) }
        owner.takeRunnext()?.let { seen.incrementAndGet((it as Task).id) }
        while (true) {
            seen.incrementAndGet(((owner.poll() ?: break) as Task).id)
        }
        synchronized(global.lock) {
            while (true) {
                seen.incrementAndGet(((global.pollLocked() ?: break) as Task).id)
            }
        }
        val counts = IntArray(3)
        for (i in 0 until total) {
            counts[minOf(seen.get(i), 2)]++
        }
        println("runq stress: $total tasks, 2 thieves, ${TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)} ms; lost=${counts[0]} duplicated=${counts[2]}")
        counts[0] shouldBe 0
        counts[2] shouldBe 0
    }
})
