package io.netpoll.dispatcher.jfr

import jdk.jfr.Event
import jdk.jfr.EventType

/**
 * Whether the dispatcher's per-operation JFR events are on in some running recording: a static
 * [EventType]'s flag read, so a blocking section pays one load and branch, and allocates nothing,
 * while nothing records them. (The periodic [SchedulerSnapshotEvent] needs no check: JFR calls its
 * hook only while it is recorded.) On a JVM whose JFR is unavailable the lookup fails and the
 * events stay off.
 */
internal object DispatcherEvents {
    private val blockingHandoffType: EventType? = lookUp(BlockingHandoffEvent::class.java)

    fun blockingHandoff(): Boolean = blockingHandoffType?.isEnabled == true

    private fun lookUp(eventClass: Class<out Event>): EventType? =
        try {
            EventType.getEventType(eventClass)
        } catch (noJfr: Throwable) {
            null
        }
}
