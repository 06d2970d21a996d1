package io.netpoll.benchmarks.peers.netty;

import io.netpoll.benchmarks.peers.RespReply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/** Encodes RESP replies into a Netty buffer. */
final class ByteBufReply implements RespReply {
    private final ByteBuf out;

    ByteBufReply(ByteBuf out) {
        this.out = out;
    }

    ByteBuf buffer() {
        return out;
    }

    @Override
    public void simple(String text) {
        line('+', text);
    }

    @Override
    public void error(String text) {
        line('-', text);
    }

    @Override
    public void integer(long value) {
        line(':', Long.toString(value));
    }

    @Override
    public void bulk(byte[] value) {
        if (value == null) {
            out.writeBytes(NULL_BULK);
            return;
        }
        line('$', Integer.toString(value.length));
        out.writeBytes(value).writeShort(CRLF);
    }

    private static final byte[] NULL_BULK = {'$', '-', '1', '\r', '\n'};
    private static final int CRLF = ('\r' << 8) | '\n';

    private void line(char type, String text) {
        out.writeByte(type);
        ByteBufUtil.writeAscii(out, text);
        out.writeShort(CRLF);
    }
}
