package io.netpoll.dispatcher.jfr

import jdk.jfr.Category
import jdk.jfr.Description
import jdk.jfr.Event
import jdk.jfr.Label
import jdk.jfr.Name
import jdk.jfr.Threshold

/**
 * A blocking section ([io.netpoll.dispatcher.blocking]) on a dispatcher worker: the worker handed
 * its P to another worker on entry (Go's entersyscallblock) and, on exit, either took a P back or
 * had to queue its coroutine (Go's exitsyscall). The event spans the section; its stack trace is
 * the caller's. Recorded for sections of 1 ms or more by default.
 */
@Name("io.netpoll.BlockingHandoff")
@Category("netpoll")
@Label("Blocking Section Handoff")
@Description("A dispatcher worker handed its P off to run a blocking section")
@Threshold("1 ms")
class BlockingHandoffEvent : Event() {
    @field:Label("Dispatcher")
    @JvmField
    var dispatcher: String? = null

    @field:Label("Processor")
    @field:Description("The P handed off on entry")
    @JvmField
    var processor: Int = 0

    @field:Label("P Reacquired")
    @field:Description("Whether the worker took a P back at once on exit (false: every P was busy, so the coroutine queued)")
    @JvmField
    var reacquired: Boolean = false

    /** The section ended. */
    fun finish(dispatcher: String, processor: Int, reacquired: Boolean) {
        end()
        if (shouldCommit()) {
            this.dispatcher = dispatcher
            this.processor = processor
            this.reacquired = reacquired
            commit()
        }
    }

    companion object {
        /** A section about to start; only while [DispatcherEvents.blockingHandoff] is on. */
        internal fun start(): BlockingHandoffEvent = BlockingHandoffEvent().also { it.begin() }
    }
}
