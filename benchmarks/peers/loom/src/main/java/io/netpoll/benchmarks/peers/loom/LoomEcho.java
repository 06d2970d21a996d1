package io.netpoll.benchmarks.peers.loom;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/** Writes back whatever it reads, through one 4 KiB buffer per connection (as the Go peer does). */
final class LoomEcho {
    private static final int bufferBytes = 4096;

    private LoomEcho() {}

    static void serve(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        byte[] buf = new byte[bufferBytes];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
        }
    }
}
