/**
 * Go's G/P/M scheduler as a Kotlin CoroutineDispatcher ({@code Dispatchers.Netpoll}) whose idle
 * workers drive the Netpoll.
 *
 * <p>Kotlin code compiled against this module calls into the Kotlin standard library and
 * kotlinx.coroutines (the dispatcher is a kotlinx {@code CoroutineDispatcher}): both are required
 * transitively, so {@code requires io.netpoll.dispatcher;} is all an application declares. The
 * poller is an implementation detail here: no public signature names its types.
 */
module io.netpoll.dispatcher {
    requires transitive kotlin.stdlib;
    requires transitive kotlinx.coroutines.core;
    requires io.netpoll.poller;

    exports io.netpoll.dispatcher;
}
