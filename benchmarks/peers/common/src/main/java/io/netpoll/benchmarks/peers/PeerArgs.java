package io.netpoll.benchmarks.peers;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * The command line every JVM peer accepts, the same as the netpoll-jvm samples':
 * {@code echo|resp|http --addr HOST:PORT [--tls-cert FILE --tls-key FILE]}. The certificate chain
 * and key are PEM files as {@code openssl} writes them; both are null for a plaintext server.
 */
public record PeerArgs(String server, InetSocketAddress address, Path tlsCert, Path tlsKey) {
    private static final String usage = "usage: echo|resp|http --addr HOST:PORT [--tls-cert FILE --tls-key FILE]";

    public static PeerArgs parse(String[] args) {
        if (args.length < 1 || args.length % 2 != 1) {
            throw new IllegalArgumentException(usage);
        }
        String addr = null;
        Path cert = null;
        Path key = null;
        for (int i = 1; i < args.length; i += 2) {
            switch (args[i]) {
                case "--addr" -> addr = args[i + 1];
                case "--tls-cert" -> cert = Path.of(args[i + 1]);
                case "--tls-key" -> key = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; " + usage);
            }
        }
        if (addr == null) {
            throw new IllegalArgumentException(usage);
        }
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        int colon = addr.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--addr wants HOST:PORT, got " + addr);
        }
        return new PeerArgs(args[0],
                new InetSocketAddress(addr.substring(0, colon), Integer.parseInt(addr.substring(colon + 1))), cert, key);
    }

    /** Whether the server is to speak TLS with {@link #tlsCert} and {@link #tlsKey}. */
    public boolean tls() {
        return tlsCert != null;
    }

    /** This, for a peer that serves plaintext only; refuses the TLS options. */
    public PeerArgs plaintextOnly(String system) {
        if (tls()) {
            throw new IllegalArgumentException(system + " serves no TLS");
        }
        return this;
    }

    /** The line the harness waits for before it starts a load generator. */
    public void announce(String system, InetSocketAddress bound) {
        System.out.println(system + "-" + server + (tls() ? " (TLS)" : "") + ": listening on "
                + bound.getAddress().getHostAddress() + ":" + bound.getPort());
        System.out.flush();
    }
}
