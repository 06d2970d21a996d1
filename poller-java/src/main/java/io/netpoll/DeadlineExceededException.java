package io.netpoll;

import java.net.SocketTimeoutException;

/**
 * An I/O call passed its deadline (Go's os.ErrDeadlineExceeded, "i/o timeout"). The descriptor
 * stays usable: move or clear the deadline and call again.
 */
public class DeadlineExceededException extends SocketTimeoutException {
    private static final long serialVersionUID = 1L;

    public DeadlineExceededException() {
        super("i/o timeout");
    }

    public DeadlineExceededException(String message) {
        super(message);
    }
}
