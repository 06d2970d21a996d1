package io.netpoll.benchmarks.peers.loom;

import io.netpoll.benchmarks.peers.HttpDate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 plaintext for GET requests on a keep-alive connection: every request (its head ends
 * at the first blank line) gets "Hello, World!"; requests pipelined in one read are answered with
 * one write.
 */
final class LoomHttp {
    private static final byte[] headHead = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
            + "Content-Length: 13\r\nDate: ").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] headTailAndBody = "\r\n\r\nHello, World!".getBytes(StandardCharsets.US_ASCII);

    private LoomHttp() {}

    static void serve(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        ByteArrayOutputStream responses = new ByteArrayOutputStream(1024);
        byte[] buf = new byte[4096];
        int filled = 0;
        while (true) {
            if (filled == buf.length) {
                throw new IOException("request head longer than " + buf.length + " bytes");
            }
            int n = in.read(buf, filled, buf.length - filled);
            if (n < 0) {
                return;
            }
            filled += n;
            int consumed = 0;
            int end;
            while ((end = headEnd(buf, consumed, filled)) >= 0) {
                responses.write(headHead);
                responses.write(HttpDate.now().getBytes(StandardCharsets.US_ASCII));
                responses.write(headTailAndBody);
                consumed = end;
            }
            System.arraycopy(buf, consumed, buf, 0, filled - consumed);
            filled -= consumed;
            if (responses.size() > 0) {
                responses.writeTo(out);
                responses.reset();
            }
        }
    }

    /** The index just past the first CRLFCRLF in {@code buf[from, to)}, or -1. */
    private static int headEnd(byte[] buf, int from, int to) {
        for (int i = from; i + 3 < to; i++) {
            if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                return i + 4;
            }
        }
        return -1;
    }
}
