package io.netpoll.benchmarks;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.poller.sys.LinuxCalls;
import io.netpoll.poller.sys.NativeLayer;
import io.netpoll.poller.sys.PosixCalls;

import java.io.IOException;

/**
 * A measurement probe, not a server: the readiness model with nothing else in the way (one thread,
 * no scheduler, no coroutines, no deadlines), the counterpart of {@code CompletionEchoProbe} on
 * io_uring. Together they split what the completion design (docs/io_uring.md's (b)) could gain
 * into the part that comes from io_uring itself (this probe against that one) and the part that
 * comes from doing less in user space (the netpoll-jvm echo sample against this probe).
 *
 * <p>Edge-triggered epoll for read and write, one read per readiness edge and the echo sent at
 * once, as netpoll-jvm's echo sample does: a read shorter than the buffer drained the socket, so
 * the next read waits for the next edge. A send that cannot complete keeps the rest and finishes on
 * the write edge.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar io.netpoll.benchmarks.EpollEchoProbe --addr 127.0.0.1:PORT</pre>
 */
public final class EpollEchoProbe {
    private static final int EPOLLIN = 0x1;
    private static final int EPOLLOUT = 0x4;
    private static final int EPOLLET = 1 << 31;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EVENT_SIZE = 12; // struct epoll_event is packed on x86-64
    private static final int MAX_EVENTS = 256;
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int EAGAIN = 11;

    private static final int BUFFER = 16 * 1024;
    private static final int MAX_CONNS = 4096;
    private static final long LISTENER = -1L;

    private final PosixCalls posix = NativeLayer.posix();
    private final LinuxCalls linux = NativeLayer.linux();
    private final int epfd;
    private final int listener;
    private final Memory events = new Memory((long) EVENT_SIZE * MAX_EVENTS);
    private final Memory event = new Memory(EVENT_SIZE);
    private final Memory buffers = new Memory((long) BUFFER * MAX_CONNS);
    private final int[] fds = new int[MAX_CONNS];
    private final int[] pending = new int[MAX_CONNS];
    private final int[] sent = new int[MAX_CONNS];
    private final int[] free = new int[MAX_CONNS];
    private int freeCount;

    private EpollEchoProbe(int listener) {
        this.listener = listener;
        this.epfd = linux.epoll_create1(0);
        for (int i = MAX_CONNS - 1; i >= 0; i--) {
            free[freeCount++] = i;
        }
    }

    public static void main(String[] args) throws IOException {
        new EpollEchoProbe(listen(port(args))).run();
    }

    /** The port of {@code --addr 127.0.0.1:PORT} (7000 without one); both probes listen on loopback. */
    public static int port(String[] args) {
        String addr = "127.0.0.1:7000";
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--addr")) {
                addr = args[i + 1];
            }
        }
        return Integer.parseInt(addr.substring(addr.lastIndexOf(':') + 1));
    }

    /** A non-blocking IPv4 listener on 127.0.0.1:port (the io_uring probe listens the same way). */
    public static int listen(int port) throws IOException {
        PosixCalls posix = NativeLayer.posix();
        int fd = posix.socket(2 /* AF_INET */, 1 /* SOCK_STREAM */ | SOCK_NONBLOCK, 0);
        try (Memory one = new Memory(4); Memory sin = new Memory(16)) {
            one.setInt(0, 1);
            posix.setsockopt(fd, 1 /* SOL_SOCKET */, 2 /* SO_REUSEADDR */, Pointer.nativeValue(one), 4);
            sin.clear();
            sin.setShort(0, (short) 2);
            sin.setByte(2, (byte) (port >> 8));
            sin.setByte(3, (byte) port);
            sin.setInt(4, 0x0100007f); // 127.0.0.1 in network order, read little-endian
            if (fd < 0 || posix.bind(fd, Pointer.nativeValue(sin), 16) < 0 || posix.listen(fd, 4096) < 0) {
                throw new IOException("probe: cannot listen on 127.0.0.1:" + port);
            }
        }
        return fd;
    }

    private void run() {
        add(listener, EPOLLIN, LISTENER);
        long base = Pointer.nativeValue(events);
        while (true) {
            int n = linux.epoll_wait(epfd, base, MAX_EVENTS, -1);
            for (int i = 0; i < n; i++) {
                int mask = events.getInt((long) i * EVENT_SIZE);
                long data = events.getLong((long) i * EVENT_SIZE + 4);
                if (data == LISTENER) {
                    accept();
                } else {
                    ready((int) data, mask);
                }
            }
        }
    }

    private void accept() {
        while (true) {
            int fd = linux.accept4(listener, 0, 0, SOCK_NONBLOCK);
            if (fd < 0) {
                return;
            }
            if (freeCount == 0) {
                posix.close(fd);
                continue;
            }
            int conn = free[--freeCount];
            fds[conn] = fd;
            pending[conn] = 0;
            sent[conn] = 0;
            add(fd, EPOLLIN | EPOLLOUT | EPOLLET, conn);
        }
    }

    private void ready(int conn, int mask) {
        if ((mask & EPOLLOUT) != 0 && sent[conn] < pending[conn] && !send(conn)) {
            return;
        }
        if ((mask & ~EPOLLOUT) == 0 || sent[conn] < pending[conn]) {
            return;
        }
        long n;
        do {
            n = posix.read(fds[conn], address(conn), BUFFER);
            if (n == -EAGAIN) {
                return;
            }
            if (n <= 0) {
                posix.close(fds[conn]);
                free[freeCount++] = conn;
                return;
            }
            pending[conn] = (int) n;
            sent[conn] = 0;
        } while (send(conn) && n == BUFFER);
    }

    /** Sends what is left of the echo; false if the socket is full (the write edge finishes it). */
    private boolean send(int conn) {
        long n = posix.send(fds[conn], address(conn) + sent[conn], pending[conn] - sent[conn], 0);
        if (n < 0) {
            return false;
        }
        sent[conn] += (int) n;
        return sent[conn] == pending[conn];
    }

    private void add(int fd, int mask, long data) {
        event.setInt(0, mask);
        event.setLong(4, data);
        linux.epoll_ctl(epfd, EPOLL_CTL_ADD, fd, Pointer.nativeValue(event));
    }

    private long address(int conn) {
        return Pointer.nativeValue(buffers) + (long) conn * BUFFER;
    }
}
