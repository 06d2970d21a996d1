package io.netpoll.poller;

import io.netpoll.poller.kqueue.KqueuePlatform;

/**
 * The conformance suite on the kqueue backend with FreeBSD's table (EVFILT_USER -11, 64-byte
 * kevents), over the kqueue model.
 */
class PollDescOnKqueueFreebsdModelTest extends KqueueModelConformance {
    PollDescOnKqueueFreebsdModelTest() {
        super(KqueuePlatform.FREEBSD, false);
    }
}
