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
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netpoll.benchmarks.peers.Keyspace;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLException;
import java.util.function.Consumer;

/**
 * {@code java -jar peers-netty.jar echo|resp|http --addr HOST:PORT}: Netty's native epoll
 * transport with one event loop per available processor (one when the harness pins the server to
 * a core), accepting on the same loops, TCP_NODELAY on every connection. With
 * {@code --tls-cert/--tls-key} every connection starts with an {@code SslHandler} on the JDK's
 * SSLEngine (Netty's {@code SslProvider.JDK}, no OpenSSL), advertising ALPN {@code http/1.1} as
 * the netpoll-jvm http sample does.
 */
public final class NettyPeers {
    private NettyPeers() {}

    public static void main(String[] argv) throws InterruptedException, SSLException {
        PeerArgs args = PeerArgs.parse(argv);
        Keyspace keys = new Keyspace();
        Consumer<SocketChannel> protocol = switch (args.server()) {
            case "echo" -> ch -> ch.pipeline().addLast(new EchoHandler());
            case "resp" -> ch -> ch.pipeline().addLast(new RespHandler(keys));
            case "http" -> ch -> ch.pipeline().addLast(new HttpServerCodec(), new PlaintextHandler());
            default -> throw new IllegalArgumentException("unknown server " + args.server());
        };
        Consumer<SocketChannel> pipeline = protocol;
        if (args.tls()) {
            SslContext tls = SslContextBuilder.forServer(args.tlsCert().toFile(), args.tlsKey().toFile())
                    .sslProvider(SslProvider.JDK)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_1_1))
                    .build();
            pipeline = ch -> {
                ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                protocol.accept(ch);
            };
        }
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
