package io.netpoll.poller;

import io.netpoll.poller.kqueue.KqueuePlatform;

/**
 * The conformance suite on the kqueue backend with the table of FreeBSD before 12 (32-byte
 * kevents, EVFILT_USER -11), over a kqueue model whose readiness is spurious: every read edge also
 * returns the write filter, writable or not, as a kqueue may. The protocol must not care.
 */
class PollDescOnKqueueSpuriousModelTest extends KqueueModelConformance {
    PollDescOnKqueueSpuriousModelTest() {
        super(KqueuePlatform.FREEBSD_LEGACY, true);
    }
}
