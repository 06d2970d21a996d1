package io.netpoll.testing;

/**
 * What {@link FaultProxy} does to one direction of a connection: an immutable value built from
 * {@link #none()} with the methods below, e.g. {@code Fault.none().fragment(1).resetAt(5000)}.
 * Positions count the bytes of that direction from 0: "at b" means after exactly b bytes have been
 * forwarded (so {@code resetAt(0)} resets before the first byte).
 *
 * <ul>
 * <li>{@link #delay} holds each chunk read from the sender that long before forwarding it;</li>
 * <li>{@link #throttle} forwards at most that many bytes per second;</li>
 * <li>{@link #fragment} forwards in segments of that many bytes, one write each, TCP_NODELAY on;</li>
 * <li>{@link #stallAt} stops reading and forwarding at b (the sender's buffers fill as behind a
 *     dead peer) until {@link #resumeAfter} has passed, or for good;</li>
 * <li>{@link #truncateAt} ends the connection cleanly at b: FIN to both peers, whatever either
 *     sends afterwards is read and dropped;</li>
 * <li>{@link #halfCloseAt} sends FIN to this direction's receiver at b and drops what the sender
 *     writes afterwards; the other direction goes on;</li>
 * <li>{@link #resetAt} resets the connection at b: both peers get an RST (SO_LINGER 0 + close);</li>
 * <li>{@link #corruptAt} flips the bits of byte b: sabotage, to prove that an integrity check
 *     catches what the faults above must never cause.</li>
 * </ul>
 * Delay, throttle and fragmentation combine with each other and with one of the position faults.
 */
public record Fault(long delayMillis, long bytesPerSecond, int segmentBytes, long stallAt, long resumeAfterMillis,
                    long truncateAt, long halfCloseAt, long resetAt, long corruptAt) {
    private static final Fault NONE = new Fault(0, 0, 0, -1, -1, -1, -1, -1, -1);

    /** Forwards everything as it comes. */
    public static Fault none() {
        return NONE;
    }

    public Fault delay(long millis) {
        return new Fault(positive(millis), bytesPerSecond, segmentBytes, stallAt, resumeAfterMillis, truncateAt,
            halfCloseAt, resetAt, corruptAt);
    }

    public Fault throttle(long bytesPerSecond) {
        return new Fault(delayMillis, positive(bytesPerSecond), segmentBytes, stallAt, resumeAfterMillis, truncateAt,
            halfCloseAt, resetAt, corruptAt);
    }

    public Fault fragment(int bytes) {
        return new Fault(delayMillis, bytesPerSecond, (int) positive(bytes), stallAt, resumeAfterMillis, truncateAt,
            halfCloseAt, resetAt, corruptAt);
    }

    public Fault stallAt(long position) {
        return new Fault(delayMillis, bytesPerSecond, segmentBytes, position(position), resumeAfterMillis, truncateAt,
            halfCloseAt, resetAt, corruptAt);
    }

    public Fault resumeAfter(long millis) {
        return new Fault(delayMillis, bytesPerSecond, segmentBytes, stallAt, positive(millis), truncateAt,
            halfCloseAt, resetAt, corruptAt);
    }

    public Fault truncateAt(long position) {
        return new Fault(delayMillis, bytesPerSecond, segmentBytes, stallAt, resumeAfterMillis, position(position),
            halfCloseAt, resetAt, corruptAt);
    }

    public Fault halfCloseAt(long position) {
        return new Fault(delayMillis, bytesPerSecond, segmentBytes, stallAt, resumeAfterMillis, truncateAt,
            position(position), resetAt, corruptAt);
    }

    public Fault resetAt(long position) {
        return new Fault(delayMillis, bytesPerSecond, segmentBytes, stallAt, resumeAfterMillis, truncateAt,
            halfCloseAt, position(position), corruptAt);
    }

    public Fault corruptAt(long position) {
        return new Fault(delayMillis, bytesPerSecond, segmentBytes, stallAt, resumeAfterMillis, truncateAt,
            halfCloseAt, resetAt, position(position));
    }

    /** The first position fault at or after {@code from} (stall, truncate, half-close, reset), or -1. */
    long nextEventAt(long from, boolean stalled) {
        long next = -1;
        for (long at : new long[] {stalled ? -1 : stallAt, truncateAt, halfCloseAt, resetAt}) {
            if (at >= from && (next < 0 || at < next)) {
                next = at;
            }
        }
        return next;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (delayMillis > 0) sb.append(" delay=").append(delayMillis).append("ms");
        if (bytesPerSecond > 0) sb.append(" throttle=").append(bytesPerSecond).append("B/s");
        if (segmentBytes > 0) sb.append(" fragment=").append(segmentBytes);
        if (stallAt >= 0) sb.append(" stall@").append(stallAt);
        if (resumeAfterMillis >= 0) sb.append(" resume=").append(resumeAfterMillis).append("ms");
        if (truncateAt >= 0) sb.append(" truncate@").append(truncateAt);
        if (halfCloseAt >= 0) sb.append(" half-close@").append(halfCloseAt);
        if (resetAt >= 0) sb.append(" reset@").append(resetAt);
        if (corruptAt >= 0) sb.append(" corrupt@").append(corruptAt);
        return sb.length() == 0 ? "none" : sb.substring(1);
    }

    private static long positive(long v) {
        if (v <= 0) throw new IllegalArgumentException("must be positive: " + v);
        return v;
    }

    private static long position(long v) {
        if (v < 0) throw new IllegalArgumentException("a position is a byte count from 0: " + v);
        return v;
    }
}
