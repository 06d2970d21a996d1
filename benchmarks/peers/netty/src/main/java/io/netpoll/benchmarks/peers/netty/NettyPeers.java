package io.netpoll.benchmarks.peers.netty;

import io.netpoll.benchmarks.peers.PeerArgs;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netpoll.benchmarks.peers.Keyspace;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * {@code java -jar peers-netty.jar echo|resp|http --addr HOST:PORT}: Netty's native epoll
 * transport with one event loop per available processor (one when the harness pins the server to
 * a core), accepting on the same loops, TCP_NODELAY on every connection.
 */
public final class NettyPeers {
    private NettyPeers() {}

    public static void main(String[] argv) throws InterruptedException {
        PeerArgs args = PeerArgs.parse(argv);
        Keyspace keys = new Keyspace();
        Consumer<SocketChannel> pipeline = switch (args.server()) {
            case "echo" -> ch -> ch.pipeline().addLast(new EchoHandler());
            case "resp" -> ch -> ch.pipeline().addLast(new RespHandler(keys));
            case "http" -> ch -> ch.pipeline().addLast(new HttpServerCodec(), new PlaintextHandler());
            default -> throw new IllegalArgumentException("unknown server " + args.server());
        };
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(
                Runtime.getRuntime().availableProcessors(), EpollIoHandler.newFactory());
        Channel server = new ServerBootstrap()
                .group(loops)
                .channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(initializer(pipeline))
                .bind(args.address()).sync().channel();
        args.announce("netty", (InetSocketAddress) server.localAddress());
        server.closeFuture().sync();
    }

    private static ChannelHandler initializer(Consumer<SocketChannel> pipeline) {
        return new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                pipeline.accept(ch);
            }
        };
    }
}
