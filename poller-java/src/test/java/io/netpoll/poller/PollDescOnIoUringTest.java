package io.netpoll.poller;

import io.netpoll.poller.iouring.IoUringPoller;

/** The conformance suite on the io_uring backend: real kernel. */
class PollDescOnIoUringTest extends PollDescConformance {
    @Override
    protected Poller newPoller() throws Exception {
        return new IoUringPoller();
    }
}
