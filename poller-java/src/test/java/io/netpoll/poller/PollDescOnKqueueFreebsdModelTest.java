package io.netpoll.poller;

import io.netpoll.poller.kqueue.KqueueModel;
import io.netpoll.poller.kqueue.KqueuePlatform;
import io.netpoll.poller.kqueue.KqueuePoller;

/**
 * The conformance suite on the kqueue backend with FreeBSD's table (EVFILT_USER -11, 64-byte
 * kevents), over the kqueue model watching real Linux sockets.
 */
class PollDescOnKqueueFreebsdModelTest extends PollDescConformance {
    @Override
    protected Poller newPoller() throws Exception {
        return new KqueuePoller(KqueueModel.overRealDescriptors(KqueuePlatform.FREEBSD), KqueuePlatform.FREEBSD, false);
    }
}
