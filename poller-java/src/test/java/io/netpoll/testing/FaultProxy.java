package io.netpoll.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on loopback that injects faults into the connections it forwards, written on plain
 * java.net sockets and threads so that it shares no code with the netpoll stack it tests.
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.to(serverPort)) {
 *     proxy.faults(Fault.none().fragment(1), Fault.none().resetAt(4096)); // to server, to client
 *     ... connect to 127.0.0.1:proxy.port() ...
 * }
 * }</pre>
 *
 * It listens on 127.0.0.1:0. Each accepted connection is dialled through to the target and takes
 * the two {@link Fault}s set when it was accepted: one for the bytes going to the server, one for
 * the bytes coming back to the client ({@link Fault} lists what each can do, at which byte).
 * Without a fault it behaves as a transparent relay: a FIN is passed on as a FIN (half-close), and
 * a reset or error on either side resets the other side too, so each peer sees what it would see
 * without the proxy.
 *
 * Threads: one accepting, two per connection (one per direction); at most {@code maxConnections}
 * connections are open at once, further clients wait in the accept queue. {@link #close()} closes
 * the listener and every connection and joins the threads. Bytes forwarded are counted per
 * direction over all connections.
 */
public final class FaultProxy implements AutoCloseable {
    private static final int CHUNK = 16 * 1024;
    private static final long JOIN_MILLIS = 5_000;

    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final Semaphore slots;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final AtomicLong toServer = new AtomicLong();
    private final AtomicLong toClient = new AtomicLong();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;
    private volatile Fault toServerFault = Fault.none();
    private volatile Fault toClientFault = Fault.none();
    private volatile boolean closed;

    /** A proxy to 127.0.0.1:{@code targetPort}, at most 64 connections at once. */
    public static FaultProxy to(int targetPort) throws IOException {
        return new FaultProxy(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 64);
    }

    public FaultProxy(InetSocketAddress target, int maxConnections) throws IOException {
        if (!target.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("the fault proxy forwards to loopback only: " + target);
        }
        this.target = target;
        this.slots = new Semaphore(maxConnections);
        this.listener = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "fault-proxy-" + port() + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The faults for connections accepted from now on; returns this proxy. */
    public FaultProxy faults(Fault toServer, Fault toClient) {
        this.toServerFault = toServer;
        this.toClientFault = toClient;
        return this;
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Bytes forwarded from clients to the server, over all connections. */
    public long bytesToServer() {
        return toServer.get();
    }

    /** Bytes forwarded from the server to clients, over all connections. */
    public long bytesToClient() {
        return toClient.get();
    }

    /** Connections accepted since the start. */
    public int connections() {
        return accepted.get();
    }

    /** Connections not yet closed on both sides. */
    public int active() {
        return links.size();
    }

    /** Waits until no connection is open, at most {@code millis}; whether none is. */
    public boolean awaitIdle(long millis) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!links.isEmpty()) {
            if (System.nanoTime() - until > 0) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        closeQuietly(listener);
        acceptor.interrupt();
        acceptor.join(JOIN_MILLIS);
        List<Thread> pumps = new ArrayList<>();
        for (Link l : links) {
            l.end(false);
            pumps.add(l.up);
            pumps.add(l.down);
        }
        for (Thread t : pumps) {
            t.interrupt();
            t.join(JOIN_MILLIS);
        }
    }

    @Override
    public String toString() {
        return "FaultProxy[:" + port() + " -> " + target.getPort() + ", to server: " + toServerFault
            + ", to client: " + toClientFault + ", connections=" + connections() + " active=" + active()
            + " bytes to server=" + bytesToServer() + " to client=" + bytesToClient() + "]";
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                return;
            }
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                slots.release();
                if (closed) {
                    return;
                }
                continue;
            }
            accepted.incrementAndGet();
            Socket server = new Socket();
            try {
                server.connect(target, 2_000);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
            } catch (IOException e) {
                reset(client);
                closeQuietly(server);
                slots.release();
                continue;
            }
            Link l = new Link(client, server, toServerFault, toClientFault);
            links.add(l);
            l.up.start();
            l.down.start();
            if (closed) {
                l.end(false);
            }
        }
    }

    /** One proxied connection: the client's socket, ours to the server, and a pump per direction. */
    private final class Link {
        final Socket client;
        final Socket server;
        final Thread up;
        final Thread down;
        final CountDownLatch ended = new CountDownLatch(1);
        final AtomicBoolean ending = new AtomicBoolean();
        final AtomicInteger pumping = new AtomicInteger(2);
        volatile boolean truncated;

        Link(Socket client, Socket server, Fault up, Fault down) {
            this.client = client;
            this.server = server;
            String name = "fault-proxy-" + port() + "-" + accepted.get();
            this.up = pumpThread(new Pump(this, client, server, up, toServer), name + "-to-server");
            this.down = pumpThread(new Pump(this, server, client, down, toClient), name + "-to-client");
        }

        private Thread pumpThread(Runnable r, String name) {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        }

        /** A clean end of both directions: FIN to each peer; the pumps drop what still arrives. */
        void truncate() {
            truncated = true;
            shutdownOutputQuietly(client);
            shutdownOutputQuietly(server);
        }

        void pumpEnded() {
            if (pumping.decrementAndGet() == 0) {
                end(false);
            }
        }

        boolean ending() {
            return ending.get();
        }

        /** Closes both sockets once; {@code reset} sends RSTs instead of FINs. */
        void end(boolean reset) {
            if (!ending.compareAndSet(false, true)) {
                return;
            }
            ended.countDown();
            if (reset) {
                reset(client);
                reset(server);
            } else {
                closeQuietly(client);
                closeQuietly(server);
            }
            links.remove(this);
            slots.release();
        }

        /** Waits for the end of the link, at most {@code millis} (negative: no limit). */
        void awaitEnd(long millis) throws InterruptedException {
            if (millis < 0) {
                ended.await();
            } else {
                ended.await(millis, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Copies one direction, applying its fault. */
    private static final class Pump implements Runnable {
        private final Link link;
        private final Socket from;
        private final Socket to;
        private final Fault fault;
        private final AtomicLong forwarded;
        private long position;
        private long paceStart;
        private long paced;

        Pump(Link link, Socket from, Socket to, Fault fault, AtomicLong forwarded) {
            this.link = link;
            this.from = from;
            this.to = to;
            this.fault = fault;
            this.forwarded = forwarded;
        }

        @Override
        public void run() {
            byte[] buf = new byte[CHUNK];
            boolean stalled = false;
            boolean dropping = false;
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                while (true) {
                    long event = dropping ? -1 : fault.nextEventAt(position, stalled);
                    if (event == position) {
                        if (fault.resetAt() == position) {
                            link.end(true);
                            return;
                        }
                        if (fault.truncateAt() == position) {
                            link.truncate();
                            dropping = true;
                        } else if (fault.halfCloseAt() == position) {
                            to.shutdownOutput();
                            dropping = true;
                        } else {
                            stalled = true;
                            link.awaitEnd(fault.resumeAfterMillis());
                            if (link.ending()) {
                                return;
                            }
                        }
                        continue;
                    }
                    int want = event < 0 ? CHUNK : (int) Math.min(CHUNK, event - position);
                    int n = in.read(buf, 0, want);
                    if (n < 0) {
                        if (!dropping && !link.truncated) {
                            to.shutdownOutput();
                        }
                        return;
                    }
                    if (dropping || link.truncated) {
                        dropping = true;
                        continue;
                    }
                    if (fault.delayMillis() > 0) {
                        Thread.sleep(fault.delayMillis());
                    }
                    long corrupt = fault.corruptAt() - position;
                    if (corrupt >= 0 && corrupt < n) {
                        buf[(int) corrupt] ^= (byte) 0xff;
                    }
                    try {
                        forward(out, buf, n);
                    } catch (IOException e) {
                        if (!link.truncated) {
                            throw e;
                        }
                        dropping = true;
                    }
                }
            } catch (IOException e) {
                // The peer reset or failed: pass that on as a reset, unless this end is ours.
                if (!link.truncated) {
                    link.end(true);
                }
            } catch (InterruptedException e) {
                link.end(false);
            } finally {
                link.pumpEnded();
            }
        }

        private void forward(OutputStream out, byte[] buf, int n) throws IOException, InterruptedException {
            int segment = fault.segmentBytes() > 0 ? fault.segmentBytes() : n;
            long rate = fault.bytesPerSecond();
            if (rate > 0) {
                // Pace in steps of about 20 ms, so the rate holds over short transfers too.
                segment = (int) Math.min(segment, Math.max(1, rate / 50));
            }
            for (int off = 0; off < n; off += segment) {
                int len = Math.min(segment, n - off);
                if (rate > 0) {
                    if (paceStart == 0) {
                        paceStart = System.nanoTime();
                    }
                    paced += len;
                    long wait = paceStart + paced * 1_000_000_000L / rate - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
                out.write(buf, off, len);
                position += len;
                forwarded.addAndGet(len);
            }
        }
    }

    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (IOException e) {
            // Already closed: nothing to reset.
        }
        closeQuietly(s);
    }

    private static void shutdownOutputQuietly(Socket s) {
        try {
            s.shutdownOutput();
        } catch (IOException e) {
            // Closed or already shut down.
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // Closing is best effort here.
        }
    }
}
