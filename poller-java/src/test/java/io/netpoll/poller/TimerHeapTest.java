package io.netpoll.poller;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimerHeapTest {
    static final class T extends Timer {
        final int id;

        T(int id) {
            this.id = id;
        }

        @Override
        protected void fire(long nowNanos) {
        }
    }

    @Test
    void due_timers_come_out_in_time_order_and_later_ones_stay() {
        TimerHeap h = new TimerHeap();
        Random rnd = new Random(7);
        List<T> all = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            T t = new T(i);
            all.add(t);
            h.reset(t, rnd.nextInt(10_000));
        }
        long last = Long.MIN_VALUE;
        int n = 0;
        for (Timer t; (t = h.pollDue(5_000)) != null; n++) {
            assertTrue(t.when() >= last, "order");
            assertTrue(t.when() <= 5_000, "only due timers");
            assertTrue(t.heapIndex < 0, "no longer in the heap");
            last = t.when();
        }
        assertEquals(all.stream().filter(t -> t.when() <= 5_000).count(), n);
        assertTrue(h.peek().when() > 5_000);
    }

    @Test
    void remove_and_reset_keep_the_heap_ordered() {
        TimerHeap h = new TimerHeap();
        T[] ts = new T[200];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = new T(i);
            h.reset(ts[i], 1000 + i);
        }
        for (int i = 0; i < ts.length; i += 3) {
            assertTrue(h.remove(ts[i]));
            assertFalse(h.remove(ts[i]), "second remove is a no-op");
        }
        h.reset(ts[199], 1);
        h.reset(ts[1], 5000);
        assertSame(ts[199], h.peek());
        long last = Long.MIN_VALUE;
        for (Timer t; (t = h.pollDue(Long.MAX_VALUE / 2)) != null; ) {
            assertTrue(t.when() >= last);
            last = t.when();
        }
        assertEquals(5000, last);
        assertNull(h.peek());
    }

    @Test
    void comparisons_survive_nanotime_wraparound() {
        TimerHeap h = new TimerHeap();
        T late = new T(1);
        T early = new T(2);
        h.reset(late, Long.MIN_VALUE + 10);   // just after the wrap
        h.reset(early, Long.MAX_VALUE - 10);  // just before it
        assertSame(early, h.pollDue(Long.MAX_VALUE));
        assertNull(h.pollDue(Long.MAX_VALUE));
        assertSame(late, h.pollDue(Long.MIN_VALUE + 10));
    }
}
