package io.netpoll.poller;

import io.netpoll.poller.kqueue.KqueueModel;
import io.netpoll.poller.kqueue.KqueuePlatform;
import io.netpoll.poller.kqueue.KqueuePoller;

/**
 * The conformance suite on the kqueue backend over the in-memory kqueue model, which watches the
 * suite's real Linux sockets (epoll and poll(2) underneath). The backend code is the one that runs
 * on macOS, with macOS's table and 32-byte kevents; the kernel is a model.
 */
class PollDescOnKqueueModelTest extends PollDescConformance {
    @Override
    protected Poller newPoller() throws Exception {
        return new KqueuePoller(KqueueModel.overRealDescriptors(KqueuePlatform.DARWIN), KqueuePlatform.DARWIN, false);
    }
}
