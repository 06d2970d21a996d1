package io.netpoll.dispatcher

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.longs.shouldBeGreaterThan
import io.kotest.matchers.longs.shouldBeLessThan
import io.kotest.matchers.shouldBe
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicLong
import kotlin.coroutines.EmptyCoroutineContext

/**
 * The nap step of findRunnable: a spinner that finds nothing naps while another P runs instead
 * of parking, so a producer does not pay a wake-up per burst. Measured by the parks counter: a
 * thief that parks after every drained burst parks thousands of times here.
 */
class SpinningSpec : FunSpec({
    test("a fan-out producer does not make the thief park after every burst") {
        NetpollDispatcher(parallelism = 2, name = "fanout").use { d ->
            val done = AtomicLong()
            val task = Runnable {
                pause(3)
                done.incrementAndGet()
            }
            // One task on a worker dispatches 100k tasks to its own P, a little slower than the
            // other worker runs them (like a loop launching coroutines): the thief drains each burst.
            fun fanOut() {
                val target = done.get() + 100_000
                d.dispatch(EmptyCoroutineContext, Runnable {
                    repeat(100_000) {
                        pause(5)
                        d.dispatch(EmptyCoroutineContext, task)
                    }
                })
                val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30)
                while (done.get() < target && System.nanoTime() < deadline) {
                    Thread.sleep(1)
                }
                done.get() shouldBe target
            }
            repeat(5) { fanOut() }
            val parksBefore = d.stats().parks
            val stealsBefore = d.stats().steals
            repeat(10) { fanOut() }
            val parks = d.stats().parks - parksBefore
            val steals = d.stats().steals - stealsBefore
            println("fan-out 10 x 100k tasks: $steals steals, $parks parks")
            steals shouldBeGreaterThan 10L
            // Parking after each drained burst cost thousands of parks per 100k tasks; napping, a few.
            parks shouldBeLessThan 1_000L
        }
    }
})

private fun pause(n: Int) {
    for (i in 0 until n) {
        Thread.onSpinWait()
    }
}
