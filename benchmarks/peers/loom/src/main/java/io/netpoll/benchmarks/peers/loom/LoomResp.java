package io.netpoll.benchmarks.peers.loom;

import io.netpoll.benchmarks.peers.ByteBufferReply;
import io.netpoll.benchmarks.peers.Keyspace;
import io.netpoll.benchmarks.peers.RespParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Reads what is available, runs every complete command in it, and writes all the replies at once
 * (one write per pipelined batch, like the other peers).
 */
final class LoomResp {
    private LoomResp() {}

    static void serve(Socket socket, Keyspace keys) throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        ByteBuffer input = ByteBuffer.allocate(4096);
        ByteBufferReply reply = new ByteBufferReply();
        while (true) {
            if (!input.hasRemaining()) {
                input = ByteBuffer.allocate(input.capacity() * 2).put(input.flip());
            }
            int n = in.read(input.array(), input.position(), input.remaining());
            if (n < 0) {
                return;
            }
            input.position(input.position() + n).flip();
            List<byte[]> command;
            while ((command = RespParser.parse(input)) != null) {
                keys.execute(command, reply);
            }
            input.compact();
            if (!reply.isEmpty()) {
                ByteBuffer replies = reply.flip();
                out.write(replies.array(), 0, replies.limit());
                reply.clear();
            }
        }
    }
}
