package io.netpoll.benchmarks.peers.netty;

import io.netpoll.benchmarks.peers.Keyspace;
import io.netpoll.benchmarks.peers.RespParser;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Parses every complete command in the cumulated input, encodes all their replies into one
 * buffer, and flushes once per read batch — so a pipeline of 16 requests costs one write.
 */
final class RespHandler extends ByteToMessageDecoder {
    private final Keyspace keys;

    RespHandler(Keyspace keys) {
        this.keys = keys;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        ByteBuffer view = in.nioBuffer(in.readerIndex(), in.readableBytes());
        ByteBufReply reply = null;
        List<byte[]> command;
        while ((command = RespParser.parse(view)) != null) {
            if (reply == null) {
                reply = new ByteBufReply(ctx.alloc().ioBuffer());
            }
            keys.execute(command, reply);
        }
        in.skipBytes(view.position());
        if (reply != null) {
            ctx.write(reply.buffer());
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        ctx.flush();
        super.channelReadComplete(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
