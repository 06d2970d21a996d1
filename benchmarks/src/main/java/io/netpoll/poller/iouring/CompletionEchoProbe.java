package io.netpoll.poller.iouring;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.benchmarks.EpollEchoProbe;
import io.netpoll.poller.sys.NativeLayer;
import io.netpoll.poller.sys.PosixCalls;
import io.netpoll.poller.sys.Sys;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A measurement probe, not a server: how little CPU an echo round trip can cost from the JVM when
 * every receive and send is an io_uring request and one {@code io_uring_enter} submits a whole
 * batch and waits for the next (design (b) of docs/io_uring.md with nothing else in the way: one
 * thread, no scheduler, no deadlines, no cancellation). {@code benchmarks/ab.sh echo go
 * epoll-probe uring-probe uring-probe-multishot} measures it beside Go's echo server and
 * {@link EpollEchoProbe}, its readiness counterpart, so what (b) could gain is measured before it
 * is built.
 *
 * <p>The ring is this thread's alone ({@code IORING_SETUP_SINGLE_ISSUER | DEFER_TASKRUN}): the
 * kernel runs the requests' completion work only when the thread enters the ring to wait, so a
 * wake-up never interrupts it. The accept is re-armed after each connection. Two ways to receive
 * ({@code -Dprobe.mode}):
 * <ul>
 *   <li>{@code single}: one RECV at a time per connection into its own 16 KiB buffer
 *       ({@code IORING_RECVSEND_POLL_FIRST}: the kernel waits for data before trying), then a SEND
 *       of what came, then the next RECV. This is what a read into the caller's buffer would
 *       submit.</li>
 *   <li>{@code multishot}: one multishot RECV per connection that stays armed and fills buffers the
 *       kernel picks from a provided-buffer ring; each buffer is echoed (one SEND in flight per
 *       connection, in order) and then given back to the ring.</li>
 * </ul>
 * It lives in the ring core's package to use {@link Ring} without widening the library's API, and
 * runs from {@code benchmarks.jar} on the class path:
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -Dprobe.mode=multishot -cp benchmarks.jar io.netpoll.poller.iouring.CompletionEchoProbe --addr 127.0.0.1:PORT</pre>
 */
public final class CompletionEchoProbe {
    private static final int IORING_OP_ACCEPT = 13;
    private static final int IORING_OP_SEND = 26;
    private static final int IORING_OP_RECV = 27;
    private static final int IORING_SETUP_SINGLE_ISSUER = 1 << 12;
    private static final int IORING_SETUP_DEFER_TASKRUN = 1 << 13;
    private static final int IOSQE_BUFFER_SELECT = 1 << 5;
    private static final int IORING_RECVSEND_POLL_FIRST = 1;
    private static final int IORING_RECV_MULTISHOT = 1 << 1;
    private static final int IORING_CQE_F_BUFFER = 1;
    private static final int IORING_CQE_BUFFER_SHIFT = 16;
    private static final int IORING_REGISTER_PBUF_RING = 22;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int EINTR = 4;

    private static final int MAX_CONNS = 4096;
    /** single: each connection's buffer; multishot: each provided buffer. */
    private static final int BUFFER = 16 * 1024;
    private static final int PROVIDED = 4096;
    private static final int GROUP = 0;
    private static final long ACCEPT = -1L;
    private static final int RECV = 0;
    private static final int SEND = 1;
    private static final int NONE = -1;

    private final PosixCalls posix = NativeLayer.posix();
    private final Ring ring;
    private final int listener;
    private final boolean multishot;
    private final Memory buffers;
    private final int[] fds = new int[MAX_CONNS];
    private final int[] free = new int[MAX_CONNS];
    private int freeCount;
    private int queued;

    /** Per connection, how many bytes of the message being echoed are sent. */
    private final int[] sent = new int[MAX_CONNS];
    /** single mode: per connection, the bytes received. */
    private final int[] pending = new int[MAX_CONNS];

    // multishot mode: per connection a FIFO of filled buffers (head, tail, next), each buffer's
    // length, and whether the receive has ended
    private final int[] head = new int[MAX_CONNS];
    private final int[] tail = new int[MAX_CONNS];
    private final int[] next = new int[PROVIDED];
    private final int[] length = new int[PROVIDED];
    private final boolean[] ended = new boolean[MAX_CONNS];
    private ByteBuffer bufRing;
    private int bufTail;

    private CompletionEchoProbe(Ring ring, int listener, boolean multishot) throws IOException {
        this.ring = ring;
        this.listener = listener;
        this.multishot = multishot;
        this.buffers = new Memory((long) BUFFER * (multishot ? PROVIDED : MAX_CONNS));
        for (int i = MAX_CONNS - 1; i >= 0; i--) {
            free[freeCount++] = i;
        }
        if (multishot) {
            registerProvidedBuffers();
        }
    }

    public static void main(String[] args) throws IOException {
        boolean multishot = System.getProperty("probe.mode", "single").equals("multishot");
        Ring ring = Ring.setup(4096, 8192, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN);
        new CompletionEchoProbe(ring, EpollEchoProbe.listen(EpollEchoProbe.port(args)), multishot).run();
    }

    /**
     * IORING_REGISTER_PBUF_RING (Linux 5.19): a page-aligned ring of {@code struct io_uring_buf}
     * (addr, len, bid; the ring's tail in the first entry's last two bytes), all buffers in it.
     */
    private void registerProvidedBuffers() throws IOException {
        long size = 16L * PROVIDED;
        long addr = NativeLayer.linux().mmap(0, size, Sys.PROT_READ | Sys.PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (addr < 0) {
            throw new IOException("probe: mmap of the buffer ring failed, errno " + -addr);
        }
        bufRing = new Pointer(addr).getByteBuffer(0, size).order(ByteOrder.nativeOrder());
        try (Memory reg = new Memory(40)) {
            reg.clear();
            reg.setLong(0, addr);
            reg.setInt(8, PROVIDED);
            reg.setShort(12, (short) GROUP);
            int r = ring.register(IORING_REGISTER_PBUF_RING, Pointer.nativeValue(reg), 1);
            if (r < 0) {
                throw new IOException("probe: IORING_REGISTER_PBUF_RING failed, errno " + -r);
            }
        }
        for (int bid = 0; bid < PROVIDED; bid++) {
            giveBack(bid);
        }
    }

    /** Puts buffer {@code bid} back in the provided-buffer ring and publishes the new tail. */
    private void giveBack(int bid) {
        int off = (bufTail & (PROVIDED - 1)) * 16;
        bufRing.putLong(off, Pointer.nativeValue(buffers) + (long) bid * BUFFER);
        bufRing.putInt(off + 8, BUFFER);
        bufRing.putShort(off + 12, (short) bid);
        bufTail++;
        VarHandle.releaseFence();
        bufRing.putShort(14, (short) bufTail);
    }

    private void run() {
        submit(IORING_OP_ACCEPT, 0, 0, listener, 0, 0, ACCEPT);
        while (true) {
            int toSubmit = queued;
            queued = 0;
            int r = ring.enter(toSubmit, 1, Ring.IORING_ENTER_GETEVENTS, 0, 0);
            if (r < 0 && r != -EINTR) {
                throw new IllegalStateException("probe: io_uring_enter failed, errno " + -r);
            }
            int n = ring.cqReady();
            for (int i = 0; i < n; i++) {
                int cqe = ring.cqe(i);
                complete(ring.cqeUserData(cqe), ring.cqeRes(cqe), ring.cqeFlags(cqe));
            }
            ring.cqAdvance(n);
        }
    }

    private void complete(long userData, int res, int flags) {
        if (userData == ACCEPT) {
            accepted(res);
            return;
        }
        int conn = (int) (userData >>> 1);
        boolean recv = (userData & 1) == RECV;
        if (multishot) {
            if (recv) {
                received(conn, res, flags);
            } else {
                sentBuffer(conn, res);
            }
            return;
        }
        if (res <= 0) {
            close(conn);
            return;
        }
        if (recv) {
            pending[conn] = res;
            sent[conn] = 0;
        } else {
            sent[conn] += res;
        }
        if (sent[conn] < pending[conn]) {
            submit(IORING_OP_SEND, 0, 0, fds[conn], address(conn) + sent[conn], pending[conn] - sent[conn],
                    ((long) conn << 1) | SEND);
        } else {
            submit(IORING_OP_RECV, 0, IORING_RECVSEND_POLL_FIRST, fds[conn], address(conn), BUFFER,
                    ((long) conn << 1) | RECV);
        }
    }

    private void accepted(int fd) {
        if (fd >= 0 && freeCount > 0) {
            int conn = free[--freeCount];
            fds[conn] = fd;
            if (multishot) {
                head[conn] = NONE;
                tail[conn] = NONE;
                ended[conn] = false;
                armMultishot(conn);
            } else {
                submit(IORING_OP_RECV, 0, IORING_RECVSEND_POLL_FIRST, fd, address(conn), BUFFER,
                        ((long) conn << 1) | RECV);
            }
        } else if (fd >= 0) {
            posix.close(fd);
        }
        submit(IORING_OP_ACCEPT, 0, 0, listener, 0, 0, ACCEPT);
    }

    private void armMultishot(int conn) {
        submit(IORING_OP_RECV, IOSQE_BUFFER_SELECT, IORING_RECV_MULTISHOT, fds[conn], 0, 0, ((long) conn << 1) | RECV);
    }

    /** A multishot RECV's completion: a filled buffer to echo, or the end (re-armed unless the peer is gone). */
    private void received(int conn, int res, int flags) {
        if (res > 0 && (flags & IORING_CQE_F_BUFFER) != 0) {
            int bid = flags >>> IORING_CQE_BUFFER_SHIFT;
            length[bid] = res;
            next[bid] = NONE;
            boolean idle = head[conn] == NONE;
            if (idle) {
                head[conn] = bid;
                sent[conn] = 0;
            } else {
                next[tail[conn]] = bid;
            }
            tail[conn] = bid;
            if (idle) {
                sendHead(conn);
            }
        }
        if ((flags & Ring.IORING_CQE_F_MORE) == 0) {
            if (res > 0 || res == -105 /* ENOBUFS: re-arm once buffers come back */) {
                armMultishot(conn);
            } else {
                ended[conn] = true;
                if (head[conn] == NONE) {
                    close(conn);
                }
            }
        }
    }

    private void sentBuffer(int conn, int res) {
        int bid = head[conn];
        if (res > 0) {
            sent[conn] += res;
            if (sent[conn] < length[bid]) {
                sendHead(conn);
                return;
            }
        }
        head[conn] = next[bid];
        giveBack(bid);
        if (res <= 0) {
            ended[conn] = true; // the peer is gone; drop what is queued
            while (head[conn] != NONE) {
                int b = head[conn];
                head[conn] = next[b];
                giveBack(b);
            }
        }
        if (head[conn] != NONE) {
            sent[conn] = 0;
            sendHead(conn);
        } else if (ended[conn]) {
            close(conn);
        }
    }

    private void sendHead(int conn) {
        int bid = head[conn];
        submit(IORING_OP_SEND, 0, 0, fds[conn], Pointer.nativeValue(buffers) + (long) bid * BUFFER + sent[conn],
                length[bid] - sent[conn], ((long) conn << 1) | SEND);
    }

    private void close(int conn) {
        posix.close(fds[conn]);
        free[freeCount++] = conn;
    }

    private long address(int conn) {
        return Pointer.nativeValue(buffers) + (long) conn * BUFFER;
    }

    private void submit(int opcode, int sqeFlags, int ioprio, int fd, long addr, int len, long userData) {
        int group = (sqeFlags & IOSQE_BUFFER_SELECT) != 0 ? GROUP : 0;
        if (!ring.prepare(opcode, sqeFlags, ioprio, fd, addr, len, 0, group, userData)) {
            ring.enter(queued, 0, 0, 0, 0);
            queued = 0;
            ring.prepare(opcode, sqeFlags, ioprio, fd, addr, len, 0, group, userData);
        }
        queued++;
    }
}
