package io.netpoll.poller.sys.windows;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

import java.io.IOException;

/**
 * The Winsock calls NetFD needs on Windows, from ws2_32 through JNA direct mapping, with the C
 * names and argument order. SOCKETs and pointers are {@code long}; lengths are C ints. A call that
 * fails returns SOCKET_ERROR (or INVALID_SOCKET) and {@link #lastError()} — WSAGetLastError, which
 * is the thread's GetLastError that JNA preserves after every call — says why; translate it with
 * {@link WsaError}.
 *
 * <p>NetFD reaches them through {@link WinsockNative} and the Windows socket layer
 * ({@code fd.WinsockSocketLayer}), which documents the mapping: socket → WSASocketW(af, type, 0,
 * 0, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT) then ioctlsocket(FIONBIO, 1); accept →
 * accept, SetHandleInformation (no inheritance), ioctlsocket; read and write → recv/send (no SIGPIPE
 * exists on Windows), WSARecv/WSASend for scatter/gather with WSABUF arrays; close → closesocket.
 * The binding is inert until first used (Windows only).
 *
 * <p>Never run here: no Windows JVM is available on these machines; the layouts and the error
 * translation are tested on Linux.
 */
public final class Ws2 {
    static {
        Native.register(Ws2.class, NativeLibrary.getInstance("ws2_32"));
    }

    private static volatile boolean started;

    private Ws2() {}

    public static native int WSAStartup(short versionRequested, long wsaData);

    public static native long WSASocketW(int af, int type, int protocol, long protocolInfo, int group, int flags);

    public static native int ioctlsocket(long s, int cmd, long argp);

    public static native int bind(long s, long name, int namelen);

    public static native int listen(long s, int backlog);

    public static native long accept(long s, long addr, long addrlenPtr);

    public static native int connect(long s, long name, int namelen);

    public static native int recv(long s, long buf, int len, int flags);

    public static native int send(long s, long buf, int len, int flags);

    public static native int recvfrom(long s, long buf, int len, int flags, long from, long fromlenPtr);

    public static native int sendto(long s, long buf, int len, int flags, long to, int tolen);

    public static native int WSARecv(long s, long buffers, int bufferCount, long bytesRecvdPtr, long flagsPtr,
                                     long overlapped, long completionRoutine);

    public static native int WSASend(long s, long buffers, int bufferCount, long bytesSentPtr, int flags,
                                     long overlapped, long completionRoutine);

    public static native int getsockopt(long s, int level, int name, long value, long lenPtr);

    public static native int setsockopt(long s, int level, int name, long value, int len);

    public static native int getsockname(long s, long name, long lenPtr);

    public static native int getpeername(long s, long name, long lenPtr);

    public static native int shutdown(long s, int how);

    public static native int closesocket(long s);

    /**
     * WSAGetLastError() of this thread's last call. Winsock keeps it in the thread's GetLastError
     * slot, which JNA saves after every call, so it is read without a further native call (which
     * could overwrite it).
     */
    public static int lastError() {
        return Native.getLastError();
    }

    /** WSAStartup(2.2) once per process; Winsock counts calls, so racing callers are harmless. */
    public static void startup() throws IOException {
        if (started) {
            return;
        }
        try (Memory data = new Memory(WinStructs.WSADATA_SIZE)) {
            int err = WSAStartup(WinSys.WINSOCK_VERSION, Pointer.nativeValue(data));
            if (err != 0) {
                throw WsaError.exception("WSAStartup", err);
            }
        }
        started = true;
    }
}
