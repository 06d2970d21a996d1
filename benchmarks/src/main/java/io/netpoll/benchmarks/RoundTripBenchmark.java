package io.netpoll.benchmarks;

import io.netpoll.poller.fd.NetFD;
import io.netpoll.poller.sys.Sys;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * One 64-byte write + read through the kernel, on one thread (the data is always there, so this
 * measures the call path, not wake-up latency). Like for like: NetFD versus a blocking
 * {@link SocketChannel}, each over a connected Unix-domain stream pair (a socketpair for NetFD; for
 * the channel, JDK 16's UNIX ServerSocketChannel on a temporary path, since the JDK has no
 * socketpair) and over loopback TCP.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar RoundTripBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RoundTripBenchmark {
    private static final int SIZE = 64;

    private NetFD pairA;
    private NetFD pairB;
    private NetFD tcpA;
    private NetFD tcpB;
    private SocketChannel chA;
    private SocketChannel chB;
    private Path unixDir;
    private SocketChannel uxA;
    private SocketChannel uxB;
    private final ByteBuffer out = ByteBuffer.allocateDirect(SIZE);
    private final ByteBuffer in = ByteBuffer.allocateDirect(SIZE);

    @Setup(Level.Trial)
    public void setup() throws IOException {
        NetFD[] sp = NetFD.socketPair(Sys.SOCK_STREAM);
        pairA = sp[0];
        pairB = sp[1];
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (NetFD ln = NetFD.listen(loopback, 1, false)) {
            tcpA = NetFD.dial(ln.localAddress(), 0);
            tcpB = ln.accept();
        }
        try (ServerSocketChannel ssc = ServerSocketChannel.open()) {
            ssc.bind(loopback);
            chA = SocketChannel.open(ssc.getLocalAddress());
            chB = ssc.accept();
            chA.socket().setTcpNoDelay(true);
            chB.socket().setTcpNoDelay(true);
        }
        unixDir = Files.createTempDirectory("roundtrip");
        UnixDomainSocketAddress path = UnixDomainSocketAddress.of(unixDir.resolve("s.sock"));
        try (ServerSocketChannel ssc = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ssc.bind(path);
            uxA = SocketChannel.open(path);
            uxB = ssc.accept();
        }
        Files.delete(path.getPath());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        pairA.close();
        pairB.close();
        tcpA.close();
        tcpB.close();
        chA.close();
        chB.close();
        uxA.close();
        uxB.close();
        Files.delete(unixDir);
    }

    @Benchmark
    public int netfdSocketpair() throws IOException {
        return roundTrip(pairA, pairB);
    }

    @Benchmark
    public int netfdLoopbackTcp() throws IOException {
        return roundTrip(tcpA, tcpB);
    }

    @Benchmark
    public int socketChannelLoopbackTcp() throws IOException {
        return roundTrip(chA, chB);
    }

    @Benchmark
    public int socketChannelUnixPair() throws IOException {
        return roundTrip(uxA, uxB);
    }

    private int roundTrip(SocketChannel a, SocketChannel b) throws IOException {
        out.clear();
        a.write(out);
        in.clear();
        int n = 0;
        while (n < SIZE) {
            n += b.read(in);
        }
        return n;
    }

    private int roundTrip(NetFD a, NetFD b) throws IOException {
        out.clear();
        a.write(out);
        in.clear();
        int n = 0;
        while (n < SIZE) {
            n += b.read(in);
        }
        return n;
    }
}
