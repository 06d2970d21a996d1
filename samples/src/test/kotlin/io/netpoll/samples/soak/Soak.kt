package io.netpoll.samples.soak

import java.io.File
import java.lang.management.ManagementFactory

/**
 * The scale and soak tests' sizes: bounded for CI by default, larger with `-Dnetpoll.soak=long`
 * (e.g. `mvn -B -pl samples -am verify -Dtest='*SoakSpec' -Dsurefire.failIfNoSpecifiedTests=false -Dnetpoll.soak=long`),
 * and what they read about this JVM.
 */
object Soak {
    val long: Boolean = System.getProperty("netpoll.soak") == "long"

    /** [ci] in a normal run, [long] under `-Dnetpoll.soak=long`. */
    fun <T> size(ci: T, long: T): T = if (this.long) long else ci

    /** This JVM's soft RLIMIT_NOFILE (the JVM raises it to the hard limit at start on Linux). */
    fun softFdLimit(pid: String = "self"): Long = File("/proc/$pid/limits").readLines()
        .first { it.startsWith("Max open files") }.split(Regex("\\s+"))[3].toLong()

    fun hardFdLimit(pid: String = "self"): Long = File("/proc/$pid/limits").readLines()
        .first { it.startsWith("Max open files") }.split(Regex("\\s+"))[4].toLong()

    fun openDescriptors(): Int = File("/proc/self/fd").list()!!.size

    fun threads(): Int = ManagementFactory.getThreadMXBean().threadCount

    /**
     * Heap in use after full collections, repeated until one frees less than 256 KiB more (what
     * the Cleaner releases after a collection, e.g. closed sockets' buffers, goes in the next).
     */
    fun heapAfterGc(): Long {
        val mem = ManagementFactory.getMemoryMXBean()
        var last = Long.MAX_VALUE
        repeat(10) {
            System.gc()
            Thread.sleep(100)
            val used = mem.heapMemoryUsage.used
            if (last - used < 256 * 1024) return minOf(used, last)
            last = used
        }
        return last
    }

    /** Direct ByteBuffers allocated and not yet freed. */
    fun directBytes(): Long = ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean::class.java)
        .first { it.name == "direct" }.memoryUsed

    fun mib(bytes: Long): String = "%.1f MiB".format(bytes / 1048576.0)
}
