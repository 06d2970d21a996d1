/**
 * Go's runtime netpoll and internal/poll for the JVM: {@link io.netpoll.poller.Netpoll},
 * {@link io.netpoll.poller.PollDesc} and the {@link io.netpoll.poller.Poller} backends, and
 * {@link io.netpoll.poller.fd.NetFD}, the non-blocking socket with its one I/O loop; and
 * {@link io.netpoll.DeadlineExceededException}, which every netpoll-jvm call that passes a
 * deadline throws.
 *
 * <p>The backends (epoll, kqueue, IOCP) and the native bindings are not exported: Netpoll picks
 * the backend ({@code -Dnetpoll.backend}). The bindings' constants and socket addresses are
 * exported to netpoll-net alone, which dials through them (compiling this module alone, javac
 * warns that io.netpoll.net is not found: it is compiled later).
 *
 * <p>The JFR events (package {@code io.netpoll.poller.jfr}) are recorded, not called: exported to JFR only;
 * the module reads {@code jdk.jfr} for them, and diagnostics go through {@code System.Logger}.
 *
 * <p>JNA loads its native library, which JDK 24+ warns about unless native access is enabled for
 * JNA's module: a module-path application passes {@code --enable-native-access=com.sun.jna}.
 */
module io.netpoll.poller {
    // JNA appears in no exported signature, so its users need not read it.
    requires com.sun.jna;
    requires jdk.jfr;

    exports io.netpoll;
    exports io.netpoll.poller;
    exports io.netpoll.poller.fd;
    exports io.netpoll.poller.sys to io.netpoll.net;
    // JFR reads its events' fields when it records them.
    exports io.netpoll.poller.jfr to jdk.jfr;
}
