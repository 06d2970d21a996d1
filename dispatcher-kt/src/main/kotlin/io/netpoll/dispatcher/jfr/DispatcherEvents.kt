package io.netpoll.dispatcher.jfr

import jdk.jfr.Event
import jdk.jfr.EventType
import jdk.jfr.FlightRecorder
import jdk.jfr.FlightRecorderListener

/**
 * The dispatcher's side of JFR. [blockingHandoff] is the check a blocking section makes before it
 * times itself: while JFR has never started a recording in this JVM it is one static volatile
 * read and leaves JFR untouched (looking up an event type initializes JFR's metadata, a one-off
 * cost of tens to hundreds of milliseconds); after, the static [EventType]'s flag. Nothing is
 * allocated while the event is off. On a JVM whose JFR is unavailable the events stay off.
 */
internal object DispatcherEvents {
    private val blockingHandoffType: EventType? by lazy(LazyThreadSafetyMode.PUBLICATION) {
        lookUp(BlockingHandoffEvent::class.java)
    }

    fun blockingHandoff(): Boolean = FlightRecorder.isInitialized() && blockingHandoffType?.isEnabled == true

    /**
     * Registers [hook] as the periodic [SchedulerSnapshotEvent] source once JFR's recorder is
     * initialized (at once if it is), so a process that never records never initializes JFR for
     * it. Returns what [removeSnapshotHook] takes to undo it.
     */
    fun addSnapshotHook(hook: Runnable): FlightRecorderListener {
        val listener = object : FlightRecorderListener {
            override fun recorderInitialized(recorder: FlightRecorder) {
                FlightRecorder.addPeriodicEvent(SchedulerSnapshotEvent::class.java, hook)
            }
        }
        FlightRecorder.addListener(listener)
        return listener
    }

    fun removeSnapshotHook(listener: FlightRecorderListener, hook: Runnable) {
        FlightRecorder.removeListener(listener)
        FlightRecorder.removePeriodicEvent(hook)
    }

    private fun lookUp(eventClass: Class<out Event>): EventType? =
        try {
            EventType.getEventType(eventClass)
        } catch (noJfr: Throwable) {
            null
        }
}
