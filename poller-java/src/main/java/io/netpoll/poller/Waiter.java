package io.netpoll.poller;

import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;

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
    /** The next waiter in the {@link ReadyList} this one sits in; only its owner touches it. */
    Waiter next;

    public abstract void wake();

    /**
     * Submits {@code task} to {@code executor} for a waiter that resumes on an executor. An
     * executor that refuses (shut down, saturated) must not strand the operation or run it on the
     * waking thread, so the task then goes to the common pool.
     */
    public static void execute(Executor executor, Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException rejected) {
            ForkJoinPool.commonPool().execute(task);
        }
    }
}
