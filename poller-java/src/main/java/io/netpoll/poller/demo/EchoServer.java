package io.netpoll.poller.demo;

import io.netpoll.poller.Netpoll;
import io.netpoll.poller.fd.NetFD;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;

/**
 * A small echo server on NetFD's blocking API: one thread per connection, every wait parked on the
 * Netpoll (driven by its fallback driver thread, since no scheduler runs here).
 *
 * <pre>java io.netpoll.poller.demo.EchoServer [host:port]   (default 127.0.0.1:7007)</pre>
 */
public final class EchoServer {
    private EchoServer() {}

    public static void main(String[] args) throws IOException {
        String addr = args.length > 0 ? args[0] : "127.0.0.1:7007";
        int colon = addr.lastIndexOf(':');
        if (colon < 0) {
            System.err.println("echo: address must be host:port, got '" + addr + "'");
            System.exit(2);
        }
        InetSocketAddress local = new InetSocketAddress(addr.substring(0, colon), Integer.parseInt(addr.substring(colon + 1)));
        NetFD listener;
        try {
            listener = NetFD.listen(local, 1024, false);
        } catch (IOException e) {
            System.err.println("echo: cannot listen on " + addr + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(listener::close));
        System.out.println("echo: listening on " + listener.localAddress() + " (backend " + Netpoll.get().backendName() + ")");
        for (;;) {
            NetFD conn;
            try {
                conn = listener.accept();
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                System.err.println("echo: accept: " + e.getMessage());
                continue;
            }
            Thread t = new Thread(() -> serve(conn), "echo-" + conn.fd());
            t.setDaemon(true);
            t.start();
        }
    }

    private static void serve(NetFD conn) {
        ByteBuffer buf = ByteBuffer.allocateDirect(16 * 1024);
        try (conn) {
            while (conn.read(buf) >= 0) {
                buf.flip();
                conn.write(buf);
                buf.clear();
            }
        } catch (IOException e) {
            // The peer went away; nothing to report for an echo connection.
        }
    }
}
