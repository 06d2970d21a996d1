package io.netpoll.poller.kqueue;

import com.sun.jna.Pointer;

/**
 * The shape of {@code struct kevent} on one platform, chosen at run time.
 *
 * <p>Every LP64 layout in use starts the same way: {@code ident} (uintptr_t) at 0, {@code filter}
 * (int16) at 8, {@code flags} (uint16) at 10, {@code fflags} (uint32) at 12, {@code data} at 16 and
 * {@code udata} (a pointer) at 24. macOS (x86_64 and arm64), FreeBSD before 12 and libkqueue stop
 * there: 32 bytes, {@code data} an intptr_t. FreeBSD 12 and later made {@code data} an int64 and
 * appended {@code uint64_t ext[4]} at 32..63, so an event is 64 bytes and event {@code i} lives at
 * {@code 64 * i}. The backend never writes {@code ext}; it zeroes a whole event before filling it.
 *
 * <p>Accessors read and write native memory through a {@link Pointer} the caller owns; they do not
 * allocate.
 */
public final class KeventLayout {
    /** macOS x86_64/arm64, FreeBSD &lt; 12, libkqueue. */
    public static final KeventLayout COMPACT = new KeventLayout("kevent32", 32, 0);
    /** FreeBSD 12 and later: {@code ext[4]} appended. */
    public static final KeventLayout EXTENDED = new KeventLayout("kevent64", 64, 32);

    public static final int IDENT_OFFSET = 0;
    public static final int FILTER_OFFSET = 8;
    public static final int FLAGS_OFFSET = 10;
    public static final int FFLAGS_OFFSET = 12;
    public static final int DATA_OFFSET = 16;
    public static final int UDATA_OFFSET = 24;
    /** struct timespec on LP64: tv_sec (time_t) at 0, tv_nsec (long) at 8. */
    public static final int TIMESPEC_SIZE = 16;

    private final String name;
    private final int size;
    private final int extOffset;

    private KeventLayout(String name, int size, int extOffset) {
        this.name = name;
        this.size = size;
        this.extOffset = extOffset;
    }

    /** sizeof(struct kevent). */
    public int size() {
        return size;
    }

    /** Offset of {@code ext[0]}, or 0 when the layout has no {@code ext} array. */
    public int extOffset() {
        return extOffset;
    }

    /** Zeroes event {@code i} of the array at {@code base} and fills in the fields a change needs. */
    public void put(Pointer base, int i, long ident, int filter, int flags, int fflags, long data, long udata) {
        long off = (long) i * size;
        base.setMemory(off, size, (byte) 0);
        base.setLong(off + IDENT_OFFSET, ident);
        base.setShort(off + FILTER_OFFSET, (short) filter);
        base.setShort(off + FLAGS_OFFSET, (short) flags);
        base.setInt(off + FFLAGS_OFFSET, fflags);
        base.setLong(off + DATA_OFFSET, data);
        base.setLong(off + UDATA_OFFSET, udata);
    }

    public long ident(Pointer base, int i) {
        return base.getLong((long) i * size + IDENT_OFFSET);
    }

    /** The filter, sign-extended (filters are negative). */
    public int filter(Pointer base, int i) {
        return base.getShort((long) i * size + FILTER_OFFSET);
    }

    /** The flags as an unsigned 16-bit value. */
    public int flags(Pointer base, int i) {
        return Short.toUnsignedInt(base.getShort((long) i * size + FLAGS_OFFSET));
    }

    public int fflags(Pointer base, int i) {
        return base.getInt((long) i * size + FFLAGS_OFFSET);
    }

    public long data(Pointer base, int i) {
        return base.getLong((long) i * size + DATA_OFFSET);
    }

    public long udata(Pointer base, int i) {
        return base.getLong((long) i * size + UDATA_OFFSET);
    }

    @Override
    public String toString() {
        return name + "(" + size + " bytes)";
    }
}
