package io.netpoll.poller.kqueue;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.netpoll.poller.sys.LibC;
import io.netpoll.poller.sys.Sys;

/**
 * kqueue(2) and kevent(2) through JNA direct mapping.
 *
 * <p>The two functions come from the C library, or from the library named by
 * {@code -Dnetpoll.kqueue.library} (for example {@code kqueue} for libkqueue on Linux). close(2),
 * and the socketpair/read/write of the wake channel used over such a library, always come from the
 * C library. Binding happens when this class is first used, so merely
 * linking the backend costs nothing on an OS that never selects it; a missing library or symbol
 * surfaces as {@link UnsatisfiedLinkError} from {@link #load()}.
 */
public final class KqueueNative implements KqueueSyscalls {
    public static final String LIBRARY_PROPERTY = "netpoll.kqueue.library";

    private static final class Kevent {
        static {
            String lib = System.getProperty(LIBRARY_PROPERTY);
            Native.register(Kevent.class, NativeLibrary.getInstance(lib != null ? lib : Platform.C_LIBRARY_NAME));
        }

        static native int kqueue();

        static native int kevent(int kq, long changelist, int nchanges, long eventlist, int nevents, long timeout);
    }

    private static final class Posix {
        static {
            Native.register(Posix.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        static native int close(int fd);
    }

    private static final KqueueNative INSTANCE = new KqueueNative();

    private KqueueNative() {}

    /** Binds the functions now; throws {@link UnsatisfiedLinkError} if the library lacks them. */
    public static KqueueNative load() {
        try {
            Class.forName(Kevent.class.getName(), true, KqueueNative.class.getClassLoader());
            Class.forName(Posix.class.getName(), true, KqueueNative.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        } catch (LinkageError e) {
            // The first failure is the loader's own error; later attempts see NoClassDefFoundError.
            UnsatisfiedLinkError le = new UnsatisfiedLinkError("kqueue: cannot bind kqueue/kevent from '"
                    + System.getProperty(LIBRARY_PROPERTY, Platform.C_LIBRARY_NAME) + "': " + e.getMessage());
            le.initCause(e);
            throw le;
        }
        return INSTANCE;
    }

    /** True when {@code -Dnetpoll.kqueue.library} names a library to load kqueue from. */
    public static boolean libraryOverride() {
        return System.getProperty(LIBRARY_PROPERTY) != null;
    }

    @Override
    public int kqueue() {
        return Kevent.kqueue();
    }

    @Override
    public int kevent(int kq, long changelist, int nchanges, long eventlist, int nevents, long timeout) {
        return Kevent.kevent(kq, changelist, nchanges, eventlist, nevents, timeout);
    }

    @Override
    public int close(int fd) {
        return Posix.close(fd);
    }

    @Override
    public int errno() {
        return Native.getLastError();
    }

    /** Only over a library override, which the backend allows on Linux alone: Linux socket flags. */
    @Override
    public int wakeChannel(int[] sv) {
        try (Memory fds = new Memory(8)) {
            int rc = LibC.socketpair(Sys.AF_UNIX, Sys.SOCK_STREAM | Sys.SOCK_NONBLOCK | Sys.SOCK_CLOEXEC, 0,
                    Pointer.nativeValue(fds));
            if (rc == 0) {
                sv[0] = fds.getInt(0);
                sv[1] = fds.getInt(4);
            }
            return rc;
        }
    }

    @Override
    public long read(int fd, long buf, long len) {
        return LibC.read(fd, buf, len);
    }

    @Override
    public long write(int fd, long buf, long len) {
        return LibC.write(fd, buf, len);
    }
}
