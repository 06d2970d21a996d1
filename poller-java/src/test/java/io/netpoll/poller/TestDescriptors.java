package io.netpoll.poller;

/** Stand-alone {@link PollDesc}s for backend tests that run without a {@link Netpoll}. */
public final class TestDescriptors {
    private TestDescriptors() {}

    public static PollDesc withId(int id, int fd) {
        PollDesc pd = new PollDesc(null, id);
        pd.init(fd);
        return pd;
    }
}
