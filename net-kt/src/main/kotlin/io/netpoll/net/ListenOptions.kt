package io.netpoll.net

import java.nio.file.Files
import java.nio.file.Path

/**
 * Options for [Net.listen] (the parts of Go's ListenConfig net-kt supports).
 *
 * @property backlog the accept queue length; by default the system's somaxconn, as Go reads it
 *   (line by line: some kernels report /proc files with a bogus size, and a sized read truncates).
 * @property reusePort SO_REUSEPORT, so several listeners can share one port (kernel load balancing).
 */
class ListenOptions @JvmOverloads constructor(
    val backlog: Int = defaultBacklog,
    val reusePort: Boolean = false,
) {
    init {
        require(backlog >= 0) { "backlog must be >= 0, was $backlog" }
    }

    companion object {
        @JvmField
        val DEFAULT = ListenOptions()

        /** /proc/sys/net/core/somaxconn, or 128 where it cannot be read (Go's maxListenerBacklog). */
        private val defaultBacklog: Int
            get() = runCatching { Files.newBufferedReader(Path.of("/proc/sys/net/core/somaxconn")).use { it.readLine().trim().toInt() } }
                .getOrDefault(128)
    }
}
