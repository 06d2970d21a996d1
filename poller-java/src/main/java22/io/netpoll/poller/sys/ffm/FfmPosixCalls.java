package io.netpoll.poller.sys.ffm;

import io.netpoll.poller.sys.PosixCalls;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@link PosixCalls} as {@code java.lang.foreign} downcalls (see {@link Downcalls}): one handle per
 * function, made when the class is first used; a call allocates nothing.
 */
final class FfmPosixCalls implements PosixCalls {
    private static final MethodHandle READ = Downcalls.quick("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle WRITE = Downcalls.quick("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle READV = Downcalls.quick("readv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle WRITEV = Downcalls.quick("writev", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SEND = Downcalls.quick("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECV = Downcalls.quick("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SENDMSG = Downcalls.quick("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SENDTO = Downcalls.quick("sendto", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECVFROM = Downcalls.quick("recvfrom", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle SOCKET = Downcalls.call("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SOCKETPAIR = Downcalls.call("socketpair", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle BIND = Downcalls.call("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle LISTEN = Downcalls.call("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CONNECT = Downcalls.call("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = Downcalls.call("getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle SETSOCKOPT = Downcalls.call("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle GETSOCKNAME = Downcalls.call("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle GETPEERNAME = Downcalls.call("getpeername", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle SHUTDOWN = Downcalls.call("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = Downcalls.call("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle STRERROR = Downcalls.plain("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    @Override
    public long read(int fd, long buf, long count) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((long) READ.invokeExact(st, fd, buf, count), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public long write(int fd, long buf, long count) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((long) WRITE.invokeExact(st, fd, buf, count), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public long readv(int fd, long iov, int iovcnt) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((long) READV.invokeExact(st, fd, iov, iovcnt), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public long writev(int fd, long iov, int iovcnt) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((long) WRITEV.invokeExact(st, fd, iov, iovcnt), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public long send(int fd, long buf, long len, int flags) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((long) SEND.invokeExact(st, fd, buf, len, flags), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public long recv(int fd, long buf, long len, int flags) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((long) RECV.invokeExact(st, fd, buf, len, flags), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public long sendmsg(int fd, long msghdr, int flags) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((long) SENDMSG.invokeExact(st, fd, msghdr, flags), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public long sendto(int fd, long buf, long len, int flags, long addr, int addrlen) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((long) SENDTO.invokeExact(st, fd, buf, len, flags, addr, addrlen), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public long recvfrom(int fd, long buf, long len, int flags, long addr, long addrlenPtr) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((long) RECVFROM.invokeExact(st, fd, buf, len, flags, addr, addrlenPtr), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public int socket(int domain, int type, int protocol) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((int) SOCKET.invokeExact(st, domain, type, protocol), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public int socketpair(int domain, int type, int protocol, long sv) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((int) SOCKETPAIR.invokeExact(st, domain, type, protocol, sv), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public int bind(int fd, long addr, int addrlen) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((int) BIND.invokeExact(st, fd, addr, addrlen), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public int listen(int fd, int backlog) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((int) LISTEN.invokeExact(st, fd, backlog), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public int connect(int fd, long addr, int addrlen) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((int) CONNECT.invokeExact(st, fd, addr, addrlen), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public int getsockopt(int fd, int level, int name, long value, long lenPtr) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((int) GETSOCKOPT.invokeExact(st, fd, level, name, value, lenPtr), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public int setsockopt(int fd, int level, int name, long value, int len) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((int) SETSOCKOPT.invokeExact(st, fd, level, name, value, len), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public int getsockname(int fd, long addr, long lenPtr) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((int) GETSOCKNAME.invokeExact(st, fd, addr, lenPtr), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public int getpeername(int fd, long addr, long lenPtr) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((int) GETPEERNAME.invokeExact(st, fd, addr, lenPtr), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public int shutdown(int fd, int how) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((int) SHUTDOWN.invokeExact(st, fd, how), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public int close(int fd) {
        MemorySegment st = Downcalls.state();
        try {
            return Downcalls.ok((int) CLOSE.invokeExact(st, fd), st);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }

    @Override
    public String strerror(int errnum) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errnum);
            return s.equals(MemorySegment.NULL) ? null : s.reinterpret(Integer.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw Downcalls.failed(t);
        }
    }
}
