package io.netpoll.poller;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A backend passed through unchanged, except that events {@link #inject}ed into it come out of the
 * next poll in place of the backend's: Netpoll's own sink receives them, token check and all, as if
 * the kernel had reported them. For events no real socket produces on demand (a late one for a
 * closed registration, a spurious one, an error).
 */
final class InjectingPoller extends ForwardingPoller {
    private record Event(long token, int bits) {
    }

    private final ConcurrentLinkedQueue<Event> injected = new ConcurrentLinkedQueue<>();

    InjectingPoller(Poller backend) {
        super(backend);
    }

    /** Has the next poll report {@code bits} for {@code token}. */
    void inject(long token, int bits) {
        injected.add(new Event(token, bits));
    }

    /**
     * Hands over the injected events without polling the backend, so the poll that delivers them
     * delivers nothing else: what the test sees follows from its events alone.
     */
    @Override
    public int poll(long timeoutNanos, boolean blocking, ReadySink sink) {
        if (injected.isEmpty()) {
            return backend.poll(timeoutNanos, blocking, sink);
        }
        int n = 0;
        for (Event e; (e = injected.poll()) != null; n++) {
            sink.ready(e.token(), e.bits());
        }
        return n;
    }
}
