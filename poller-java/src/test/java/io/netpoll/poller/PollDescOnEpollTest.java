package io.netpoll.poller;

import io.netpoll.poller.epoll.EpollPoller;

/** The conformance suite on the epoll backend: real kernel. */
class PollDescOnEpollTest extends PollDescConformance {
    @Override
    protected Poller newPoller() throws Exception {
        return new EpollPoller();
    }
}
