package io.netpoll.poller;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A waiter that completes a {@link CompletableFuture}. The poller thread only submits the
 * completion to {@code executor} (the common pool if that executor refuses); dependent stages
 * therefore never run on the polling thread.
 */
public final class FutureWaiter extends Waiter implements Runnable {
    private final CompletableFuture<Void> future = new CompletableFuture<>();
    private final Executor executor;

    public FutureWaiter(Executor executor) {
        this.executor = executor;
    }

    /** Completes (on {@code executor}) once the waiter is woken. */
    public CompletableFuture<Void> future() {
        return future;
    }

    @Override
    public void wake() {
        Waiter.execute(executor, this);
    }

    @Override
    public void run() {
        future.complete(null);
    }
}
