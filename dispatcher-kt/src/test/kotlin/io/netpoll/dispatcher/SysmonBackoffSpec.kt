package io.netpoll.dispatcher

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.longs.shouldBeLessThan
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.yield
import java.lang.management.ManagementFactory

/**
 * Go's sysmon backs off while its retake finds nothing to do, whether or not the Ps are busy: a
 * dispatcher under steady load (short tasks, nothing held up by a long one) should not have its
 * monitor wake every millisecond on the cores its workers need.
 */
class SysmonBackoffSpec : FunSpec({
    test("under steady load with no long task, sysmon ticks every 10 ms, not every 1 ms") {
        NetpollDispatcher(parallelism = 1, name = "steady").use { d ->
            val mx = ManagementFactory.getThreadMXBean()
            fun sysmonWaits(): Long {
                val t = Thread.getAllStackTraces().keys.single { it.name == "steady-sysmon" }
                return mx.getThreadInfo(t.id).waitedCount
            }
            val busyNanos = 600_000_000L
            val waited = runBlocking {
                withTimeout(30_000) {
                    withContext(d) {
                        // Two coroutines yielding to each other: the one P never idles, and no task
                        // runs long enough for sysmon to act.
                        val start = System.nanoTime()
                        val jobs = List(2) {
                            launch {
                                while (System.nanoTime() - start < busyNanos) {
                                    yield()
                                }
                            }
                        }
                        val before = sysmonWaits()
                        jobs.forEach { it.join() }
                        sysmonWaits() - before
                    }
                }
            }
            println("SysmonBackoffSpec: sysmon parked $waited times in ${busyNanos / 1_000_000} ms of steady load")
            // 1 ms ticks would be ~600; backing off after 50 ticks gives ~50 + 55 at 10 ms.
            waited shouldBeLessThan 300L
        }
    }
})
