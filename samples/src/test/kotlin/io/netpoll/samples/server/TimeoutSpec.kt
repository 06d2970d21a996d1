package io.netpoll.samples.server

import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.longs.shouldBeLessThan
import io.kotest.matchers.shouldBe
import java.lang.management.ManagementFactory

class TimeoutSpec : StringSpec({
    "a deadline is the timeout from now, as a nanoTime value" {
        val t = Timeout(10_000)
        repeat(1000) {
            val before = System.nanoTime()
            val d = t.deadline()
            val after = System.nanoTime()
            (d - (before + 10_000_000_000L) >= 0 && (after + 10_000_000_000L) - d >= 0) shouldBe true
        }
    }

    "deadlines allocate nothing: a million of them allocate under a few kilobytes" {
        val mx = ManagementFactory.getThreadMXBean() as com.sun.management.ThreadMXBean
        val t = Timeout(10_000)
        var sink = 0L
        repeat(200_000) { sink += t.deadline() }
        val self = Thread.currentThread().id
        val before = mx.getThreadAllocatedBytes(self)
        for (i in 0 until 1_000_000) sink += t.deadline()
        val allocated = mx.getThreadAllocatedBytes(self) - before
        println("TimeoutSpec: 1000000 deadlines allocated $allocated bytes ($sink)")
        allocated shouldBeLessThan 4096
    }
})
