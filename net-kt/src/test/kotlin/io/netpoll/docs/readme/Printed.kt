package io.netpoll.docs.readme

import java.util.Collections

/**
 * What this package's example prints. The example calls `println` as a reader's copy would; this
 * same-package function takes precedence over kotlin.io's default import, so the test reads the
 * output without touching System.out.
 */
val printed: MutableList<Any?> = Collections.synchronizedList(mutableListOf())

fun println(message: Any?) {
    printed += message
}
