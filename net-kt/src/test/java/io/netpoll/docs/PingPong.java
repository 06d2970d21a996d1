package io.netpoll.docs;

import io.netpoll.net.Conn;
import io.netpoll.net.Listener;
import io.netpoll.net.Net;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

public class PingPong {
    public static void main(String[] args) throws Exception {
        try (Listener ln = Net.listen("tcp", "127.0.0.1:0")) {
            CompletableFuture<Conn> accepted = ln.acceptAsync();       // completes on the common pool
            int port = ((InetSocketAddress) ln.getLocalAddress()).getPort();
            try (Conn c = Net.dialBlocking("tcp", "127.0.0.1:" + port, Duration.ofSeconds(2));
                 Conn s = accepted.get()) {
                c.writeBlocking(ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8)));  // parks while needed
                ByteBuffer b = ByteBuffer.allocate(4);
                s.readFullyBlocking(b);
                s.asOutputStream().write(b.array());                   // a stream over the same socket
                ByteBuffer back = ByteBuffer.allocate(4);
                c.readFullyBlocking(back);
                System.out.println(new String(back.array(), StandardCharsets.UTF_8));  // ping
            }
        }
    }
}
