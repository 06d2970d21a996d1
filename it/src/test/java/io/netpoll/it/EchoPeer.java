package io.netpoll.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A plain java.net echo server on loopback for one connection, in a thread of the test JVM: what
 * a client under test talks to, and what it received.
 */
final class EchoPeer implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final Thread thread = new Thread(this::serveOne, "echo-peer");

    EchoPeer() throws IOException {
        thread.setDaemon(true);
        thread.start();
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    private void serveOne() {
        try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            byte[] buf = new byte[4096];
            for (int n; (n = in.read(buf)) > 0; ) {
                synchronized (received) {
                    received.write(buf, 0, n);
                }
                out.write(buf, 0, n);
            }
        } catch (IOException ignored) {
            // the client went away; what it sent is in received
        }
    }

    String received() {
        synchronized (received) {
            return received.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() throws Exception {
        server.close();
        thread.join(5000);
    }
}
