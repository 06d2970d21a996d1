package io.netpoll.poller.jfr;

import io.netpoll.poller.PollDesc;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Threshold;

/**
 * One wait of an I/O operation for readiness, from the moment it parked on its descriptor until it
 * was woken for good (Go's netpollblock to its wakeup): by readiness, its deadline, a close, or
 * its owner withdrawing it. A wake that only moved a deadline does not end the wait. The event's
 * thread is the one that resumed the operation (for a coroutine, the worker it resumed on).
 */
@Name("io.netpoll.IoWait")
@Category("netpoll")
@Label("I/O Wait")
@Description("An I/O operation parked until its descriptor was ready (or its deadline, a close, or a cancellation ended the wait)")
@Threshold("10 ms")
public final class IoWaitEvent extends jdk.jfr.Event {
    /** {@link #finish} outcomes besides the PollDesc results. */
    public static final int WITHDRAWN = -1;

    @Label("File Descriptor")
    int fd;

    @Label("Direction")
    @Description("read or write")
    String direction;

    @Label("Operation")
    @Description("read, readv, peek, accept, recvfrom, write, writev, sendto or connect")
    String operation;

    @Label("Outcome")
    @Description("ready, deadline, closed, error or withdrawn")
    String outcome;

    /** A wait that is about to park; call {@link #finish} when it ends. Only while {@link PollerEvents#ioWait} is on. */
    public static IoWaitEvent start() {
        IoWaitEvent e = new IoWaitEvent();
        e.begin();
        return e;
    }

    /**
     * The wait on {@code fd} for {@code mode} ({@link PollDesc#MODE_READ} or {@link PollDesc#MODE_WRITE})
     * ended with {@code result}: a {@link PollDesc} result or {@link #WITHDRAWN}.
     */
    public void finish(int fd, int mode, String operation, int result) {
        end();
        if (shouldCommit()) {
            this.fd = fd;
            this.direction = PollerEvents.direction(mode);
            this.operation = operation;
            this.outcome = outcome(result);
            commit();
        }
    }

    private static String outcome(int result) {
        switch (result) {
            case PollDesc.OK:
                return "ready";
            case PollDesc.ERR_TIMEOUT:
                return "deadline";
            case PollDesc.ERR_CLOSING:
                return "closed";
            case WITHDRAWN:
                return "withdrawn";
            default:
                return "error";
        }
    }
}
