package io.netpoll.poller.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A read or write deadline of a descriptor came due (Go's netpolldeadlineimpl): from now on that
 * direction fails with a timeout until the deadline is moved, and a waiter, if any, is woken.
 * Recorded on the thread that fired the timer (the one driving the poller).
 */
@Name("io.netpoll.DeadlineExpired")
@Category("netpoll")
@Label("Deadline Expired")
@Description("A socket read or write deadline came due")
@StackTrace(false)
public final class DeadlineExpiredEvent extends jdk.jfr.Event {
    @Label("File Descriptor")
    int fd;

    @Label("Direction")
    @Description("read or write")
    String direction;

    @Label("Waiter Woken")
    @Description("Whether an operation was parked on that direction and was woken with the timeout")
    boolean waiterWoken;

    /** Records the expiry, if the event is on in some recording. */
    public static void emit(int fd, int mode, boolean waiterWoken) {
        DeadlineExpiredEvent e = new DeadlineExpiredEvent();
        if (e.shouldCommit()) {
            e.fd = fd;
            e.direction = PollerEvents.direction(mode);
            e.waiterWoken = waiterWoken;
            e.commit();
        }
    }
}
