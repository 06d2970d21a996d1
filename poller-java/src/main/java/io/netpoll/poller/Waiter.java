package io.netpoll.poller;

/**
 * Whatever sits parked in a {@link PollDesc} slot or a descriptor lock queue: a parked thread, a
 * CompletableFuture, or (in net-kt) a suspended coroutine.
 *
 * <p>{@link #wake} is called exactly once per park, by whichever thread took the waiter out of its
 * slot (the poller, a deadline timer, {@code close}). It runs on that thread, so it must only hand
 * the waiter back to its owner (unpark, dispatch, submit) and never run user code (Go's
 * injectglist: the poller returns goroutines to the scheduler, it does not run them).
 */
public abstract class Waiter {
    public abstract void wake();
}
