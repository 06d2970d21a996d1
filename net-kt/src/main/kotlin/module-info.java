/**
 * Go's net package as Kotlin suspend functions over the Netpoll, with a Java facade (blocking,
 * CompletableFuture and stream calls), and TLS over the same connections.
 *
 * <p>Required transitively, so that {@code requires io.netpoll.net;} is all an application
 * declares: the Kotlin standard library and kotlinx.coroutines (every class here calls into the
 * first, Java callers included; the suspend API is built on the second), and netpoll-poller,
 * whose {@code Netpoll} (its stats) users read beside connections, and whose {@code NetFD} the
 * class files here name in members Kotlin keeps internal but the JVM sees as public.
 *
 * <p>The scheduler (netpoll-dispatcher) is not required: every call works on any dispatcher and
 * from plain threads; an application that runs on {@code Dispatchers.Netpoll} requires it itself.
 */
module io.netpoll.net {
    requires transitive kotlin.stdlib;
    requires transitive kotlinx.coroutines.core;
    requires transitive io.netpoll.poller;

    // kotlinx-io is optional: only io.netpoll.net.io's adapters use it, for users who have it.
    requires static kotlinx.io.core;

    exports io.netpoll.net;
    exports io.netpoll.net.tls;
    exports io.netpoll.net.io;
    // Not API (docs/net-api.md), but Conn's inline read and write are compiled into the caller's
    // module and call into it there, so a Kotlin application on the module path must reach it.
    exports io.netpoll.net.internal;
}
