package io.netpoll.poller;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The two CASes on a deadline timer's target (PollDesc's locking section): a lock-free move later
 * ({@code extend}) and the firing's {@code claim}. Of the two, exactly one wins.
 */
class DeadlineTimerTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);

    private static PollDesc.DeadlineTimer armedAt(long target) {
        PollDesc.DeadlineTimer t = new PollDesc.DeadlineTimer(TestDescriptors.withId(1, 3), PollDesc.MODE_READ);
        t.target = target;
        return t;
    }

    @Test
    void a_move_later_wins_over_a_firing_that_read_the_old_time() {
        long now = System.nanoTime();
        PollDesc.DeadlineTimer t = armedAt(now + S);
        assertTrue(t.extend(now + 2 * S));
        assertFalse(t.claim(now + S), "the firing read the old time: it must not take the timer");
        assertEquals(now + 2 * S, t.target, "the timer is placed again at the new time");
        assertTrue(t.claim(now + 2 * S));
    }

    @Test
    void a_firing_wins_over_a_move_that_comes_after_it() {
        long now = System.nanoTime();
        PollDesc.DeadlineTimer t = armedAt(now + S);
        assertTrue(t.claim(now + S));
        assertFalse(t.extend(now + 2 * S), "taken to fire: the move must take the locked path");
        assertEquals(PollDesc.DeadlineTimer.NOT_ARMED, t.target);
    }

    @Test
    void only_a_later_time_still_ahead_moves_without_the_lock() {
        long now = System.nanoTime();
        PollDesc.DeadlineTimer t = armedAt(now + 2 * S);
        assertFalse(t.extend(now + S), "earlier: the heap must place it earlier, under the lock");
        assertFalse(armedAt(now - 2 * S).extend(now - S), "passed: it must expire at once, under the lock");
        assertFalse(new PollDesc.DeadlineTimer(TestDescriptors.withId(2, 4), PollDesc.MODE_READ).extend(now + S),
                "never armed");
        assertEquals(now + 2 * S, t.target);
    }
}
