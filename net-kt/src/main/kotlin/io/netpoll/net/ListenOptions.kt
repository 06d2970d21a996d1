package io.netpoll.net

import java.nio.file.Files
import java.nio.file.Path

/**
 * Options for [Net.listen] (the parts of Go's ListenConfig net-kt supports).
 *
 * @property backlog the accept queue length; by default the system's somaxconn, as Go reads it.
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

        /**
         * /proc/sys/net/core/somaxconn, or 128 where it cannot be read (Go's maxListenerBacklog).
         * Read line-wise: on JDK 17 `Files.readString` returns only the first byte of a /proc file
         * (which reports size 0), which made the backlog 4 instead of 4096.
         */
        private val defaultBacklog: Int
            get() = runCatching { Files.readAllLines(Path.of("/proc/sys/net/core/somaxconn")).first().trim().toInt() }
                .getOrDefault(128)
    }
}
