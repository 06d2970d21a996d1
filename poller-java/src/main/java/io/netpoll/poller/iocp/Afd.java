package io.netpoll.poller.iocp;

import io.netpoll.poller.Poller;

/**
 * The AFD poll protocol: IOCTL_AFD_POLL event bits, the NTSTATUS values the backend meets, and the
 * translation between AFD events and {@link Poller} readiness bits.
 *
 * <p>Which AFD events a direction waits for, and what each one means for a caller:
 * <ul>
 *   <li>read: RECEIVE (data), ACCEPT (a pending connection), DISCONNECT (the peer's FIN: a read
 *       returns end of stream);</li>
 *   <li>write: SEND (room in the send buffer);</li>
 *   <li>both: ABORT (reset) and CONNECT_FAIL, which wake both directions as EPOLLERR does, so the
 *       caller's next syscall reports the error;</li>
 *   <li>LOCAL_CLOSE is always requested: the socket was closed under the request, and the backend
 *       forgets it instead of reporting anything.</li>
 * </ul>
 */
public final class Afd {
    private Afd() {}

    public static final int IOCTL_AFD_POLL = 0x00012024;

    public static final int POLL_RECEIVE = 0x0001;
    public static final int POLL_RECEIVE_EXPEDITED = 0x0002;
    public static final int POLL_SEND = 0x0004;
    public static final int POLL_DISCONNECT = 0x0008;
    public static final int POLL_ABORT = 0x0010;
    public static final int POLL_LOCAL_CLOSE = 0x0020;
    public static final int POLL_ACCEPT = 0x0080;
    public static final int POLL_CONNECT_FAIL = 0x0100;

    public static final int STATUS_SUCCESS = 0;
    public static final int STATUS_PENDING = 0x00000103;
    public static final int STATUS_CANCELLED = 0xC0000120;
    public static final int STATUS_NOT_FOUND = 0xC0000225;

    public static final int READ_EVENTS = POLL_RECEIVE | POLL_ACCEPT | POLL_DISCONNECT | POLL_ABORT | POLL_CONNECT_FAIL;
    public static final int WRITE_EVENTS = POLL_SEND | POLL_ABORT | POLL_CONNECT_FAIL;

    /** The AFD events to wait for when the {@link Poller#READ}/{@link Poller#WRITE} bits are wanted. */
    public static int eventsFor(int directions) {
        int events = POLL_LOCAL_CLOSE;
        if ((directions & Poller.READ) != 0) {
            events |= READ_EVENTS;
        }
        if ((directions & Poller.WRITE) != 0) {
            events |= WRITE_EVENTS;
        }
        return events;
    }

    /** The readiness bits AFD {@code events} stand for (LOCAL_CLOSE maps to none). */
    public static int readiness(int events) {
        int bits = 0;
        if ((events & (POLL_RECEIVE | POLL_RECEIVE_EXPEDITED | POLL_ACCEPT | POLL_DISCONNECT)) != 0) {
            bits |= Poller.READ;
        }
        if ((events & POLL_SEND) != 0) {
            bits |= Poller.WRITE;
        }
        if ((events & (POLL_ABORT | POLL_CONNECT_FAIL)) != 0) {
            bits |= Poller.READ | Poller.WRITE;
        }
        return bits;
    }

    /** NT_ERROR: the top two bits of an NTSTATUS are 11. */
    public static boolean isError(int status) {
        return (status >>> 30) == 3;
    }
}
