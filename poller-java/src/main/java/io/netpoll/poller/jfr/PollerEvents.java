package io.netpoll.poller.jfr;

import io.netpoll.poller.PollDesc;
import jdk.jfr.Event;
import jdk.jfr.EventType;

/**
 * Whether each of the poller's JFR events is on in some running recording, for the hot paths to
 * check before they make an event: a static final {@link EventType}'s flag read, so while nothing
 * records them they cost one load and branch, and allocate nothing.
 *
 * <p>Looking the types up registers the event classes with JFR (without starting any recording).
 * On a JVM built without JFR the lookup fails, and every event stays off.
 */
public final class PollerEvents {
    private static final EventType POLL = lookUp(PollEvent.class);
    private static final EventType IO_WAIT = lookUp(IoWaitEvent.class);
    private static final EventType DEADLINE_EXPIRED = lookUp(DeadlineExpiredEvent.class);

    private PollerEvents() {}

    /** {@link PollEvent} is being recorded. */
    public static boolean poll() {
        return POLL != null && POLL.isEnabled();
    }

    /** {@link IoWaitEvent} is being recorded. */
    public static boolean ioWait() {
        return IO_WAIT != null && IO_WAIT.isEnabled();
    }

    /** {@link DeadlineExpiredEvent} is being recorded. */
    public static boolean deadlineExpired() {
        return DEADLINE_EXPIRED != null && DEADLINE_EXPIRED.isEnabled();
    }

    static String direction(int mode) {
        return mode == PollDesc.MODE_READ ? "read" : "write";
    }

    private static EventType lookUp(Class<? extends Event> eventClass) {
        try {
            return EventType.getEventType(eventClass);
        } catch (Throwable noJfr) {
            return null;
        }
    }
}
