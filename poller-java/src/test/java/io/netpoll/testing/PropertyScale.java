package io.netpoll.testing;

/**
 * Iteration counts of the property tests: the bounded CI count, times the environment variable
 * {@code NETPOLL_PROPERTY_SCALE} (default 1) for a longer hunt, e.g. {@code NETPOLL_PROPERTY_SCALE=50}.
 */
public final class PropertyScale {
    private PropertyScale() {}

    public static int scaled(int iterations) {
        String scale = System.getenv("NETPOLL_PROPERTY_SCALE");
        return scale == null || scale.isBlank() ? iterations : iterations * Integer.parseInt(scale.trim());
    }
}
