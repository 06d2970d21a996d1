package io.netpoll.poller;

import io.netpoll.poller.kqueue.KqueuePlatform;

/**
 * The conformance suite on the kqueue backend over the kqueue model with macOS's table and 32-byte
 * kevents: the backend code is the one that runs on macOS; the kernel is a model.
 */
class PollDescOnKqueueModelTest extends KqueueModelConformance {
    PollDescOnKqueueModelTest() {
        super(KqueuePlatform.DARWIN, false);
    }
}
