package io.netpoll.samples.resp

import io.kotest.core.spec.style.StringSpec
import io.kotest.matchers.collections.shouldNotBeEmpty
import io.kotest.matchers.ints.shouldBeGreaterThanOrEqual
import io.kotest.matchers.longs.shouldBeGreaterThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import io.netpoll.samples.ServerProcess
import io.netpoll.samples.Tools
import jdk.jfr.consumer.RecordingFile
import java.io.File
import java.nio.file.Files
import java.util.concurrent.TimeUnit

/**
 * docs/observability.md's recipe on the RESP sample: started with `-XX:StartFlightRecording`
 * (JFR's default settings, so the events' own default thresholds and period apply), loaded with
 * redis-benchmark, stopped with SIGTERM; the recording it leaves holds netpoll's polls, I/O waits
 * and scheduler snapshots, read back here and printed with the JDK's `jfr` tool.
 */
class RespFlightRecordingSpec : StringSpec({
    "a JFR recording of the RESP server under redis-benchmark shows polls, I/O waits and scheduler snapshots"
        .config(enabled = Tools.has("redis-benchmark")) {
            val dir = Files.createTempDirectory("netpoll-jfr")
            val rec = dir.resolve("rec.jfr")
            try {
                // -Xlog: JFR's start-up line would come before the server's listening line on stdout.
                val jvmArgs = listOf("-XX:StartFlightRecording:filename=$rec,dumponexit=true", "-Xlog:jfr+startup=off")
                ServerProcess.start("resp", jvmArgs = jvmArgs).use { srv ->
                    val bench = Tools.run(
                        "redis-benchmark", "-h", "127.0.0.1", "-p", "${srv.port}", "-c", "20", "-n", "20000", "-t", "set,get", "-q",
                        timeoutSeconds = 60,
                    )
                    bench.exit shouldBe 0
                    bench.out shouldContain "requests per second"
                    Thread.sleep(1_500) // at least one more scheduler snapshot (every second by default)
                    srv.signal("TERM")
                    srv.awaitExit(20) shouldBe 0
                }
                val events = RecordingFile.readAllEvents(rec).groupBy { it.eventType.name }
                println("RespFlightRecording: " + events.filterKeys { it.startsWith("io.netpoll.") }.mapValues { it.value.size })

                val polls = events["io.netpoll.Poll"].orEmpty()
                polls.shouldNotBeEmpty()
                polls.map { it.getString("backend") }.toSet() shouldBe setOf("epoll")

                val waits = events["io.netpoll.IoWait"].orEmpty()
                waits.shouldNotBeEmpty()
                waits.filter { it.getString("operation") == "accept" && it.getString("outcome") == "ready" }.shouldNotBeEmpty()

                val snapshots = events["io.netpoll.SchedulerSnapshot"].orEmpty()
                snapshots.shouldNotBeEmpty()
                val last = snapshots.maxBy { it.startTime }
                last.getInt("parallelism") shouldBeGreaterThanOrEqual 1
                last.getLong("tasksRun") shouldBeGreaterThan 1_000L
                last.getLong("pollEvents") shouldBeGreaterThan 0L

                val jfr = File(System.getProperty("java.home"), "bin/jfr").path
                val print = ProcessBuilder(jfr, "print", "--events", "io.netpoll.Poll", "$rec").redirectErrorStream(true).start()
                val printed = print.inputStream.bufferedReader().readText()
                print.waitFor(30, TimeUnit.SECONDS) shouldBe true
                print.exitValue() shouldBe 0
                printed shouldContain "io.netpoll.Poll {"
                printed shouldContain "backend = \"epoll\""
            } finally {
                dir.toFile().deleteRecursively()
            }
        }
})
