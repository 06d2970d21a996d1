package io.netpoll.dispatcher

import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeSorted
import io.kotest.matchers.ints.shouldBeGreaterThanOrEqual
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldMatch
import java.io.ByteArrayOutputStream
import java.io.PrintStream

private val schedLine = Regex(
    "SCHED (\\d+)ms: gomaxprocs=2 idleprocs=\\d+ threads=\\d+ spinningthreads=\\d+ idlethreads=\\d+ " +
        "runqueue=\\d+ \\[\\d+ \\d+] blocking=\\d+ timers=\\d+ steals=\\d+ parks=\\d+ pollwaits=\\d+ " +
        "pollevents=\\d+ longtaskwakeups=\\d+",
)

class SchedTraceSpec : FunSpec({
    test("a stats snapshot prints as a Go-style SCHED line") {
        val stats = SchedStats(
            parallelism = 2, idleProcs = 1, threads = 3, idleThreads = 1, spinningThreads = 0,
            blockingSections = 0, globalQueue = 5, localQueues = listOf(7, 0), timers = 2, steals = 11,
            parks = 4, pollWaits = 9, pollEvents = 3, longTaskWakeups = 1, tasksRun = 40, blockingHandoffs = 2,
        )
        stats.schedtraceLine(1004) shouldBe
            "SCHED 1004ms: gomaxprocs=2 idleprocs=1 threads=3 spinningthreads=0 idlethreads=1 runqueue=5 [7 0] " +
            "blocking=0 timers=2 steals=11 parks=4 pollwaits=9 pollevents=3 longtaskwakeups=1"
    }

    test("-Dnetpoll.schedtrace=MS prints a SCHED line every MS milliseconds") {
        val out = ByteArrayOutputStream()
        System.setProperty("netpoll.schedtrace", "20")
        try {
            NetpollDispatcher(parallelism = 2, name = "traced", traceOut = PrintStream(out, true)).use {
                Thread.sleep(300)
            }
        } finally {
            System.clearProperty("netpoll.schedtrace")
        }
        val lines = out.toString().lines().filter { it.isNotEmpty() }
        println("schedtrace: ${lines.size} lines, first: ${lines.firstOrNull()}")
        lines.size shouldBeGreaterThanOrEqual 5
        lines.forEach { it shouldMatch schedLine }
        lines.map { schedLine.matchEntire(it)!!.groupValues[1].toLong() }.shouldBeSorted()
    }
})
