package io.netpoll.poller;

import io.netpoll.poller.iocp.IocpModel;
import io.netpoll.poller.iocp.IocpPoller;

/**
 * The conformance suite on the IOCP backend over the completion-port/AFD model, which completes
 * AFD polls from the suite's real Linux sockets (poll(2) underneath). The backend code is the one
 * that runs on Windows; the port and the AFD driver are a model.
 */
class PollDescOnIocpModelTest extends PollDescConformance {
    @Override
    protected Poller newPoller() throws Exception {
        return new IocpPoller(IocpModel.overRealSockets());
    }
}
