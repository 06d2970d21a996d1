package io.netpoll.benchmarks.peers;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The HTTP {@code Date} header value, formatted at most once per second (what nginx and Go's
 * net/http send with every response, so the JVM peers send it too).
 */
public final class HttpDate {
    private static volatile long cachedSecond = -1;
    private static volatile String cachedValue = "";

    private HttpDate() {}

    public static String now() {
        long second = System.currentTimeMillis() / 1000;
        if (second != cachedSecond) {
            cachedValue = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
            cachedSecond = second;
        }
        return cachedValue;
    }
}
