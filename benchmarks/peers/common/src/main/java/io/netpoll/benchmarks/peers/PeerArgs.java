package io.netpoll.benchmarks.peers;

import java.net.InetSocketAddress;

/**
 * The command line every JVM peer accepts, the same as the netpoll-jvm samples':
 * {@code echo|resp|http --addr HOST:PORT}.
 */
public record PeerArgs(String server, InetSocketAddress address) {

    public static PeerArgs parse(String[] args) {
        if (args.length != 3 || !args[1].equals("--addr")) {
            throw new IllegalArgumentException("usage: echo|resp|http --addr HOST:PORT");
        }
        int colon = args[2].lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--addr wants HOST:PORT, got " + args[2]);
        }
        return new PeerArgs(args[0],
                new InetSocketAddress(args[2].substring(0, colon), Integer.parseInt(args[2].substring(colon + 1))));
    }

    /** The line the harness waits for before it starts a load generator. */
    public void announce(String system, InetSocketAddress bound) {
        System.out.println(system + "-" + server + ": listening on "
                + bound.getAddress().getHostAddress() + ":" + bound.getPort());
        System.out.flush();
    }
}
