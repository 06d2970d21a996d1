package io.netpoll.poller.sys.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * How the FFM binding makes a C call: a downcall handle per function, found in the C library the
 * JVM itself links ({@link Linker#defaultLookup()}), whose first argument is a per-thread segment
 * where the linker stores errno as the call returns ({@code captureCallState}). So errno is read
 * from memory the JVM cannot clobber between the call and the read, and a call allocates nothing:
 * the segment is made once per thread.
 *
 * <p>Pointers are passed as {@code JAVA_LONG} addresses, as the JNA binding passes them: a pointer
 * and a 64-bit integer travel in the same register on every 64-bit ABI the JDK's linker supports,
 * and a {@code long} needs no {@code MemorySegment} per call.
 *
 * <p>Calls that never block (read, write, send, recv and the rest of the byte I/O on descriptors
 * that are all non-blocking, and accept4) are linked {@link Linker.Option#critical critical}: the
 * thread does not leave the Java state for them, which is most of what a downcall costs. A critical
 * call holds back safepoints while it runs, which is why a call that may wait (epoll_wait, close
 * with a linger) is never one.
 */
final class Downcalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final ThreadLocal<MemorySegment> THREAD_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(STATE));

    private Downcalls() {}

    /** A call that may take time: the thread is in the native state while it runs. */
    static MethodHandle call(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(symbol(name), fd, CAPTURE_ERRNO);
    }

    /** A call that never blocks, linked critical (see the class comment). */
    static MethodHandle quick(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(symbol(name), fd, CAPTURE_ERRNO, Linker.Option.critical(false));
    }

    /** A variadic call that may take time, whose variadic arguments start at {@code firstVariadic}. */
    static MethodHandle variadic(String name, int firstVariadic, FunctionDescriptor fd) {
        return LINKER.downcallHandle(symbol(name), fd, CAPTURE_ERRNO, Linker.Option.firstVariadicArg(firstVariadic));
    }

    /** A call whose errno is not wanted (strerror). */
    static MethodHandle plain(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(symbol(name), fd);
    }

    private static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("netpoll: no '" + name + "' in the C library"));
    }

    /** The calling thread's errno segment. */
    static MemorySegment state() {
        return THREAD_STATE.get();
    }

    /** {@code r}, or {@code -errno} from {@code state} when the call failed. */
    static long ok(long r, MemorySegment state) {
        return r >= 0 ? r : -(int) ERRNO.get(state, 0L);
    }

    static int ok(int r, MemorySegment state) {
        return r >= 0 ? r : -(int) ERRNO.get(state, 0L);
    }

    /** A downcall handle threw: only an Error can come out of a C call, so this is a JVM failure. */
    static RuntimeException failed(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        if (t instanceof RuntimeException e) {
            return e;
        }
        return new IllegalStateException("netpoll: a C call threw " + t, t);
    }
}
