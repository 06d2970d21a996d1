package io.netpoll.poller.jfr;

import io.netpoll.poller.PollDesc;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;

/**
 * Whether each of the poller's JFR events is on in some running recording, for the hot paths to
 * check before they make an event. While JFR has never started a recording in this JVM (its
 * recorder is not initialized) the check is one static volatile read, allocates nothing, and
 * leaves JFR untouched: looking up the event types initializes JFR's metadata, a one-off cost of
 * tens to hundreds of milliseconds that a process which never records should not pay on its
 * first poll. Once a recording has started, the check reads the static final {@link EventType}'s
 * flag.
 *
 * <p>On a JVM whose JFR is unavailable the lookup fails, and every event stays off.
 */
public final class PollerEvents {
    private PollerEvents() {}

    /** {@link PollEvent} is being recorded. */
    public static boolean poll() {
        return FlightRecorder.isInitialized() && Types.enabled(Types.POLL);
    }

    /** {@link IoWaitEvent} is being recorded. */
    public static boolean ioWait() {
        return FlightRecorder.isInitialized() && Types.enabled(Types.IO_WAIT);
    }

    /** {@link DeadlineExpiredEvent} is being recorded. */
    public static boolean deadlineExpired() {
        return FlightRecorder.isInitialized() && Types.enabled(Types.DEADLINE_EXPIRED);
    }

    static String direction(int mode) {
        return mode == PollDesc.MODE_READ ? "read" : "write";
    }

    /** The event types, looked up the first time a check runs after JFR started. */
    private static final class Types {
        static final EventType POLL = lookUp(PollEvent.class);
        static final EventType IO_WAIT = lookUp(IoWaitEvent.class);
        static final EventType DEADLINE_EXPIRED = lookUp(DeadlineExpiredEvent.class);

        static boolean enabled(EventType type) {
            return type != null && type.isEnabled();
        }

        private static EventType lookUp(Class<? extends Event> eventClass) {
            try {
                return EventType.getEventType(eventClass);
            } catch (Throwable noJfr) {
                return null;
            }
        }
    }
}
