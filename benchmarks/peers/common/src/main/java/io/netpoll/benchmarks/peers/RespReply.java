package io.netpoll.benchmarks.peers;

/** Where {@link Keyspace} encodes its replies; each peer writes them into its own buffer type. */
public interface RespReply {
    void simple(String text);

    void error(String text);

    void integer(long value);

    /** A bulk string, or the null bulk string for {@code null}. */
    void bulk(byte[] value);
}
