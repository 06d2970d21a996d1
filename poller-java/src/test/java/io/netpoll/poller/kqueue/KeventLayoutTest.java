package io.netpoll.poller.kqueue;

import com.sun.jna.Memory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** struct kevent layouts and the per-platform constant tables, byte for byte. */
class KeventLayoutTest {
    @Test
    void field_offsets_are_those_of_every_lp64_kevent() {
        assertEquals(0, KeventLayout.IDENT_OFFSET);
        assertEquals(8, KeventLayout.FILTER_OFFSET);
        assertEquals(10, KeventLayout.FLAGS_OFFSET);
        assertEquals(12, KeventLayout.FFLAGS_OFFSET);
        assertEquals(16, KeventLayout.DATA_OFFSET);
        assertEquals(24, KeventLayout.UDATA_OFFSET);
        assertEquals(16, KeventLayout.TIMESPEC_SIZE);
    }

    @Test
    void macos_and_libkqueue_events_are_32_bytes_without_ext() {
        assertEquals(32, KeventLayout.COMPACT.size());
        assertEquals(0, KeventLayout.COMPACT.extOffset());
    }

    @Test
    void freebsd_12_events_are_64_bytes_with_ext_at_32() {
        assertEquals(64, KeventLayout.EXTENDED.size());
        assertEquals(32, KeventLayout.EXTENDED.extOffset());
    }

    @Test
    void event_i_of_a_freebsd_array_starts_at_64_times_i_and_its_ext_is_zeroed() {
        KeventLayout l = KeventLayout.EXTENDED;
        try (Memory m = new Memory(3L * 64)) {
            m.setMemory(0, 3L * 64, (byte) 0x5a);
            l.put(m, 1, 0x1122334455667788L, -11, 0x8021, 0x01000000, -7L, 0xCAFEBABE12345678L);
            assertEquals(0x1122334455667788L, m.getLong(64));
            assertEquals((short) -11, m.getShort(64 + 8));
            assertEquals((short) 0x8021, m.getShort(64 + 10));
            assertEquals(0x01000000, m.getInt(64 + 12));
            assertEquals(-7L, m.getLong(64 + 16));
            assertEquals(0xCAFEBABE12345678L, m.getLong(64 + 24));
            for (int off = 32; off < 64; off += 8) {
                assertEquals(0L, m.getLong(64 + off), "ext byte " + off + " zeroed");
            }
            assertEquals(0x5a5a5a5a5a5a5a5aL, m.getLong(63 - 7), "event 0 untouched");
            assertEquals(0x5a5a5a5a5a5a5a5aL, m.getLong(128), "event 2 untouched");
            assertEquals(-11, l.filter(m, 1), "filters are sign-extended");
            assertEquals(0x8021, l.flags(m, 1), "flags are unsigned (EV_EOF is bit 15)");
            assertEquals(0x1122334455667788L, l.ident(m, 1));
            assertEquals(0x01000000, l.fflags(m, 1));
            assertEquals(-7L, l.data(m, 1));
            assertEquals(0xCAFEBABE12345678L, l.udata(m, 1));
        }
    }

    @Test
    void event_i_of_a_macos_array_starts_at_32_times_i() {
        KeventLayout l = KeventLayout.COMPACT;
        try (Memory m = new Memory(2L * 32)) {
            m.setMemory(0, 64, (byte) 0x5a);
            l.put(m, 1, 9, -2, 0x21, 0, 0, 42);
            assertEquals(9L, m.getLong(32));
            assertEquals((short) -2, m.getShort(40));
            assertEquals((short) 0x21, m.getShort(42));
            assertEquals(42L, m.getLong(56));
            assertEquals(0x5a5a5a5a5a5a5a5aL, m.getLong(24), "event 0 untouched");
        }
    }

    @Test
    void constant_tables_differ_only_where_the_platforms_do() {
        assertEquals(-10, KqueuePlatform.DARWIN.evfiltUser);
        assertEquals(-11, KqueuePlatform.FREEBSD.evfiltUser);
        assertEquals(-11, KqueuePlatform.FREEBSD_LEGACY.evfiltUser);
        assertEquals(-11, KqueuePlatform.LIBKQUEUE.evfiltUser);
        assertSame(KeventLayout.COMPACT, KqueuePlatform.DARWIN.layout);
        assertSame(KeventLayout.EXTENDED, KqueuePlatform.FREEBSD.layout);
        assertSame(KeventLayout.COMPACT, KqueuePlatform.FREEBSD_LEGACY.layout);
        assertSame(KeventLayout.COMPACT, KqueuePlatform.LIBKQUEUE.layout);
        for (KqueuePlatform p : new KqueuePlatform[] {KqueuePlatform.DARWIN, KqueuePlatform.FREEBSD, KqueuePlatform.FREEBSD_LEGACY,
                KqueuePlatform.LIBKQUEUE}) {
            assertEquals(-1, p.evfiltRead);
            assertEquals(-2, p.evfiltWrite);
            assertEquals(0x1, p.evAdd);
            assertEquals(0x2, p.evDelete);
            assertEquals(0x20, p.evClear);
            assertEquals(0x4000, p.evError);
            assertEquals(0x8000, p.evEof);
            assertEquals(0x01000000, p.noteTrigger);
            assertEquals(4, p.eintr);
            assertEquals(2, p.enoent);
            assertEquals(9, p.ebadf);
        }
    }

    @Test
    void the_table_is_chosen_by_os_and_freebsd_version() {
        assertSame(KqueuePlatform.DARWIN, KqueuePlatform.detect("Mac OS X", "14.5", false));
        assertSame(KqueuePlatform.FREEBSD, KqueuePlatform.detect("FreeBSD", "13.2-RELEASE", false));
        assertSame(KqueuePlatform.FREEBSD, KqueuePlatform.detect("FreeBSD", "12.0-RELEASE-p3", false));
        assertSame(KqueuePlatform.FREEBSD_LEGACY, KqueuePlatform.detect("FreeBSD", "11.4-RELEASE", false));
        assertSame(KqueuePlatform.LIBKQUEUE, KqueuePlatform.detect("Linux", "6.1.0", true));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> KqueuePlatform.detect("Linux", "6.1.0", false));
        assertEquals(true, e.getMessage().contains("netpoll.kqueue.library"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> KqueuePlatform.detect("Windows 11", "10.0", true));
    }
}
