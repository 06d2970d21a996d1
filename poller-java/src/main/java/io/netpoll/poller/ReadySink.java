package io.netpoll.poller;

/** Receives the events a {@link Poller} collected: the registration token and {@link Poller#READ}/WRITE/ERROR bits. */
@FunctionalInterface
public interface ReadySink {
    void ready(long token, int events);
}
