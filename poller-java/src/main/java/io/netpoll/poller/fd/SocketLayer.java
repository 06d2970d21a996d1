package io.netpoll.poller.fd;

import com.sun.jna.Memory;
import io.netpoll.poller.sys.NativeLayer;
import io.netpoll.poller.sys.SockAddrFormat;
import io.netpoll.poller.sys.bsd.BsdLibC;
import io.netpoll.poller.sys.bsd.BsdSys;
import io.netpoll.poller.sys.windows.WinsockNative;

import java.io.IOException;
import java.util.Locale;

/**
 * The OS boundary under {@link NetFD}: every system call NetFD makes goes through the one layer
 * chosen for this OS when the class is first used ({@link #get()}): {@link LinuxSocketLayer},
 * {@link BsdSocketLayer} (macOS, FreeBSD) or {@link WinsockSocketLayer}. Go makes the same split
 * at build time with per-OS files (sock_cloexec.go, sys_cloexec.go, fd_windows.go).
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Linux numbers both ways.</b> Families ({@code Sys.AF_*}), option levels and names, the
 *       value of SO_ERROR, shutdown's {@code how} and every errno are Linux's; a layer translates at
 *       its edge, so NetFD's {@code Errno.EAGAIN} tests mean the same on every OS. An option the OS
 *       lacks fails with ENOPROTOOPT. Option values keep Linux's layout (struct linger is two ints).</li>
 *   <li><b>Results are values.</b> Each call returns a non-negative result or {@code -errno}; none
 *       throws and none needs a second native call to learn why it failed. {@link #exception} turns
 *       an errno into the exception a JVM user expects, with the OS's own text and number.</li>
 *   <li><b>Descriptors are ready for the poller.</b> What {@link #socket}, {@link #accept},
 *       {@link #socketpair} and {@link #pipe} return is non-blocking, not inherited by child
 *       processes, and a socket never raises SIGPIPE: {@link #send}, {@link #sendv} and
 *       {@link #sendto} add whatever flag the OS needs.</li>
 *   <li><b>Addresses</b> are in the OS's sockaddr layout ({@link #sockaddr()}); the family passed
 *       to its {@code encode} is the OS's own, from {@link #nativeFamily}.</li>
 *   <li><b>Hot path.</b> {@link #read}, {@link #peek}, {@link #send}, {@link #write}, {@link #readv}, {@link #sendv},
 *       {@link #writev}, {@link #recvfrom}, {@link #sendto} and {@link #iovec} allocate nothing.</li>
 * </ul>
 * Windows SOCKET handles are 64-bit types whose values fit in 32 bits (Windows keeps handle values
 * 32-bit for WOW64), so NetFD's {@code int} fd holds them too.
 */
interface SocketLayer {
    /**
     * The layer for this OS, chosen once.
     *
     * @throws IllegalArgumentException, UnsupportedOperationException or IllegalStateException, the
     *     same one on every call, when there is none: an OS without a layer, or a native binding
     *     that cannot be had ({@link NativeLayer})
     */
    static SocketLayer get() {
        SocketLayer layer = Current.LAYER;
        if (layer == null) {
            throw Current.FAILURE;
        }
        return layer;
    }

    /** The layer for {@code os.name} {@code osName}; names the supported OSes if there is none. */
    static SocketLayer forOs(String osName) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.contains("linux")) {
            return new LinuxSocketLayer(NativeLayer.posix(), NativeLayer.linux());
        }
        BsdSys bsd = BsdSys.forOs(osName);
        if (bsd != null) {
            return new BsdSocketLayer(NativeLayer.posix(), BsdLibC.INSTANCE, bsd);
        }
        if (os.contains("windows")) {
            return new WinsockSocketLayer(WinsockNative.INSTANCE);
        }
        throw new IllegalStateException("netpoll: no socket layer for OS '" + osName
                + "'; supported: Linux, macOS, FreeBSD, Windows");
    }

    /** Holds the process's layer, or why there is none; initialised on the first {@link #get()}. */
    final class Current {
        static final SocketLayer LAYER;
        static final RuntimeException FAILURE;

        static {
            SocketLayer layer = null;
            RuntimeException failure = null;
            try {
                layer = forOs(System.getProperty("os.name", ""));
            } catch (RuntimeException e) {
                failure = e;
            }
            LAYER = layer;
            FAILURE = failure;
        }

        private Current() {}
    }

    String name();

    /** Called before every socket is made: once-per-process setup (WSAStartup on Windows). */
    default void start() throws IOException {
    }

    SockAddrFormat sockaddr();

    /** The OS's number for Linux family {@code family}. */
    default int nativeFamily(int family) {
        return family;
    }

    /** Whether listeners get SO_REUSEADDR (Go: yes on Unix; no on Windows, where it allows port stealing). */
    default boolean reuseAddressOnListen() {
        return true;
    }

    int socket(int family, int sotype);

    int accept(int fd, long addr, long addrlenPtr);

    /** A connected AF_UNIX pair into the two ints at {@code sv}; 0 or -errno. */
    int socketpair(int sotype, long sv);

    /** A pipe (read end, write end) into the two ints at {@code fds}; 0 or -errno. */
    int pipe(long fds);

    int bind(int fd, long addr, int len);

    int listen(int fd, int backlog);

    /** 0, or -EINPROGRESS while a non-blocking connect proceeds, or another -errno. */
    int connect(int fd, long addr, int len);

    int getsockname(int fd, long addr, long lenPtr);

    int getpeername(int fd, long addr, long lenPtr);

    int setsockopt(int fd, int level, int name, long value, int len);

    int getsockopt(int fd, int level, int name, long value, long lenPtr);

    int shutdown(int fd, int how);

    int close(int fd);

    /** read(2) on a socket or pipe. */
    long read(int fd, long buf, long len);

    /**
     * recv(2) with MSG_PEEK on a socket: what {@link #read} would return (bytes, 0 at end of stream,
     * -errno, a pending socket error included), leaving the data queued.
     */
    long peek(int fd, long buf, long len);

    /** A write on a socket, without SIGPIPE. */
    long send(int fd, long buf, long len);

    /** write(2) on a pipe. */
    long write(int fd, long buf, long len);

    /**
     * Scattering read into the {@code cnt} vectors {@link #iovec} wrote at the start of {@code vec};
     * the layer may use {@link #VECTOR_SCRATCH_SIZE} bytes of {@code vec} at {@code scratchOffset}.
     */
    long readv(int fd, Memory vec, int cnt, long scratchOffset);

    /** Gathering write on a socket, without SIGPIPE; {@code vec} as for {@link #readv}. */
    long sendv(int fd, Memory vec, int cnt, long scratchOffset);

    /** Gathering write on a pipe; {@code vec} as for {@link #readv}. */
    long writev(int fd, Memory vec, int cnt, long scratchOffset);

    long recvfrom(int fd, long buf, long len, long addr, long addrlenPtr);

    long sendto(int fd, long buf, long len, long addr, int addrlen);

    /** Bytes per vector entry. */
    int IOVEC_SIZE = 16;
    /** Room {@link #readv} and {@link #sendv} may use: a struct msghdr (56 bytes on LP64). */
    int VECTOR_SCRATCH_SIZE = 56;

    /** Writes one vector entry (struct iovec: base, then length) at {@code offset} of {@code m}. */
    default void iovec(Memory m, long offset, long base, long len) {
        m.setLong(offset, base);
        m.setLong(offset + 8, len);
    }

    /**
     * The Linux errno for {@code errno} as this OS numbers it, read as SO_ERROR's value: for a socket
     * error that reached NetFD other than through this layer (the poller took it from a kqueue
     * event, {@link io.netpoll.poller.PollDesc#takeEventErrno}).
     */
    int linuxErrno(int errno);

    /** The exception for Linux {@code errno} raised by {@code op}, with the OS's own text. */
    IOException exception(String op, int errno);
}
