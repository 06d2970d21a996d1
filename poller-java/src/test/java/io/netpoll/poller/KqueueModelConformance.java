package io.netpoll.poller;

import io.netpoll.poller.kqueue.KqueueModel;
import io.netpoll.poller.kqueue.KqueuePlatform;
import io.netpoll.poller.kqueue.KqueuePoller;

/**
 * The conformance suite on {@link KqueuePoller} over the in-memory kqueue model, which watches the
 * suite's real Linux sockets (epoll and poll(2) underneath), with one platform's constant table and
 * kevent layout. Injected events do not bypass the backend: the model returns them from the next
 * kevent wait, so they come out of {@link KqueuePoller#poll} with their udata as a kernel's would.
 */
abstract class KqueueModelConformance extends PollDescConformance {
    private final KqueuePlatform platform;
    private final boolean spuriousWrites;
    private KqueueModel model;

    KqueueModelConformance(KqueuePlatform platform, boolean spuriousWrites) {
        this.platform = platform;
        this.spuriousWrites = spuriousWrites;
    }

    @Override
    protected Poller newPoller() throws Exception {
        model = KqueueModel.overRealDescriptors(platform);
        if (spuriousWrites) {
            model.reportWriteWithEveryRead();
        }
        return new KqueuePoller(model, platform, false);
    }

    @Override
    protected void injectRead(Netpoll np, int fd, long token) {
        model.deliver(fd, platform.evfiltRead, token);
        np.poll(0);
    }

    @Override
    protected boolean reportsSpuriousWrites() {
        return spuriousWrites;
    }
}
