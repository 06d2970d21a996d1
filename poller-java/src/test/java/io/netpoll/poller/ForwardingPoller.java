package io.netpoll.poller;

import java.io.IOException;

/**
 * A test backend that passes every call through to a real one; subclasses change {@link #poll} to
 * stage an interleaving the real backend leaves to chance.
 */
abstract class ForwardingPoller implements Poller {
    protected final Poller backend;

    ForwardingPoller(Poller backend) {
        this.backend = backend;
    }

    @Override
    public int poll(long timeoutNanos, boolean blocking, ReadySink sink) {
        return backend.poll(timeoutNanos, blocking, sink);
    }

    @Override
    public String name() {
        return backend.name();
    }

    @Override
    public void open(int fd, PollDesc pd) throws IOException {
        backend.open(fd, pd);
    }

    @Override
    public void close(int fd) {
        backend.close(fd);
    }

    @Override
    public void rearm(int fd, long token, int events) {
        backend.rearm(fd, token, events);
    }

    @Override
    public void wakeup() {
        backend.wakeup();
    }

    @Override
    public long wakeupWrites() {
        return backend.wakeupWrites();
    }

    @Override
    public void close() throws IOException {
        backend.close();
    }
}
