/**
 * Go's G/P/M scheduler as a Kotlin CoroutineDispatcher ({@code Dispatchers.Netpoll}) whose idle
 * workers drive the Netpoll.
 *
 * <p>Kotlin code compiled against this module calls into the Kotlin standard library and
 * kotlinx.coroutines (the dispatcher is a kotlinx {@code CoroutineDispatcher}): both are required
 * transitively, so {@code requires io.netpoll.dispatcher;} is all an application declares; and
 * so is the poller, whose {@code NetpollStats} {@code NetpollDispatcher.metrics()} returns. The JFR
 * events (package {@code io.netpoll.dispatcher.jfr}) are recorded, not called: exported to JFR only.
 */
module io.netpoll.dispatcher {
    requires transitive kotlin.stdlib;
    requires transitive kotlinx.coroutines.core;
    requires transitive io.netpoll.poller;
    requires jdk.jfr;

    exports io.netpoll.dispatcher;
    // JFR reads its events' fields when it records them.
    exports io.netpoll.dispatcher.jfr to jdk.jfr;
}
