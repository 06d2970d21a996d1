package io.netpoll.benchmarks.peers.loom;

import io.netpoll.benchmarks.peers.Keyspace;
import io.netpoll.benchmarks.peers.PeerArgs;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * {@code java -jar peers-loom.jar echo|resp|http --addr HOST:PORT}: blocking {@code java.net}
 * sockets, one virtual thread per accepted connection — the JDK's own answer to Go's goroutine
 * per connection.
 */
public final class LoomPeers {
    /** What a connection's virtual thread runs; it owns the socket and closes it. */
    interface Connection {
        void serve(Socket socket) throws IOException;
    }

    private LoomPeers() {}

    public static void main(String[] argv) throws IOException {
        PeerArgs args = PeerArgs.parse(argv).plaintextOnly("loom");
        Keyspace keys = new Keyspace();
        Connection connection = switch (args.server()) {
            case "echo" -> LoomEcho::serve;
            case "resp" -> socket -> LoomResp.serve(socket, keys);
            case "http" -> LoomHttp::serve;
            default -> throw new IllegalArgumentException("unknown server " + args.server());
        };
        try (ServerSocket server = new ServerSocket()) {
            server.bind(args.address(), 4096);
            args.announce("loom", (InetSocketAddress) server.getLocalSocketAddress());
            while (true) {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                Thread.ofVirtual().start(() -> {
                    try (socket) {
                        connection.serve(socket);
                    } catch (IOException | RuntimeException e) {
                        // The peer reset or spoke garbage: this connection ends, the server goes on.
                    }
                });
            }
        }
    }
}
