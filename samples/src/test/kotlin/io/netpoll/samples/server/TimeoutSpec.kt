package io.netpoll.samples.server

import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.longs.shouldBeLessThan
import io.kotest.matchers.shouldBe
import java.lang.management.ManagementFactory
import java.time.Instant

class TimeoutSpec : StringSpec({
    "a deadline is the timeout from now at millisecond resolution" {
        val t = Timeout(10_000)
        repeat(1000) {
            val before = System.currentTimeMillis()
            val d = t.deadline()
            val after = System.currentTimeMillis()
            (d.toEpochMilli() in before + 10_000..after + 10_000) shouldBe true
            d.nano % 1_000_000 shouldBe 0
        }
    }

    "deadlines handed out in the same millisecond are one Instant: a million of them allocate a few kilobytes" {
        val mx = ManagementFactory.getThreadMXBean() as com.sun.management.ThreadMXBean
        val t = Timeout(10_000)
        var sink: Instant? = null
        repeat(200_000) { sink = t.deadline() }
        val n = 1_000_000
        val self = Thread.currentThread().id
        val started = System.currentTimeMillis()
        val before = mx.getThreadAllocatedBytes(self)
        for (i in 0 until n) sink = t.deadline()
        val allocated = mx.getThreadAllocatedBytes(self) - before
        val millis = System.currentTimeMillis() - started
        println("TimeoutSpec: $n deadlines over $millis ms allocated $allocated bytes (${sink!!.epochSecond > 0})")
        // One Instant (24 bytes) per millisecond elapsed, not per call.
        allocated shouldBeLessThan 32 * (millis + 2) + 4096
    }
})
