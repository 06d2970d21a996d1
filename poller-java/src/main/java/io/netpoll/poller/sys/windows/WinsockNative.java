package io.netpoll.poller.sys.windows;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

import java.io.IOException;

/**
 * {@link WinsockCalls} from ws2_32 ({@link Ws2}) and kernel32, through JNA direct mapping. Each
 * library binds when first called, so this class is inert on other OSes.
 *
 * <p>Never run here: no Windows JVM is available on these machines (see {@link Ws2}).
 */
public final class WinsockNative implements WinsockCalls {
    public static final WinsockNative INSTANCE = new WinsockNative();

    private static final class Kernel32 {
        static {
            Native.register(Kernel32.class, NativeLibrary.getInstance("kernel32"));
        }

        static native int SetHandleInformation(long handle, int mask, int flags);
    }

    private WinsockNative() {}

    @Override
    public void startup() throws IOException {
        Ws2.startup();
    }

    @Override
    public long socket(int af, int type, int protocol, int flags) {
        return Ws2.WSASocketW(af, type, protocol, 0, 0, flags);
    }

    @Override
    public int ioctlsocket(long s, int cmd, long argp) {
        return Ws2.ioctlsocket(s, cmd, argp);
    }

    @Override
    public int setHandleInformation(long handle, int mask, int flags) {
        return Kernel32.SetHandleInformation(handle, mask, flags);
    }

    @Override
    public int bind(long s, long name, int namelen) {
        return Ws2.bind(s, name, namelen);
    }

    @Override
    public int listen(long s, int backlog) {
        return Ws2.listen(s, backlog);
    }

    @Override
    public long accept(long s, long addr, long addrlenPtr) {
        return Ws2.accept(s, addr, addrlenPtr);
    }

    @Override
    public int connect(long s, long name, int namelen) {
        return Ws2.connect(s, name, namelen);
    }

    @Override
    public int recv(long s, long buf, int len, int flags) {
        return Ws2.recv(s, buf, len, flags);
    }

    @Override
    public int send(long s, long buf, int len, int flags) {
        return Ws2.send(s, buf, len, flags);
    }

    @Override
    public int recvfrom(long s, long buf, int len, int flags, long from, long fromlenPtr) {
        return Ws2.recvfrom(s, buf, len, flags, from, fromlenPtr);
    }

    @Override
    public int sendto(long s, long buf, int len, int flags, long to, int tolen) {
        return Ws2.sendto(s, buf, len, flags, to, tolen);
    }

    @Override
    public int wsaRecv(long s, long buffers, int count, long bytesPtr, long flagsPtr) {
        return Ws2.WSARecv(s, buffers, count, bytesPtr, flagsPtr, 0, 0);
    }

    @Override
    public int wsaSend(long s, long buffers, int count, long bytesPtr, int flags) {
        return Ws2.WSASend(s, buffers, count, bytesPtr, flags, 0, 0);
    }

    @Override
    public int getsockopt(long s, int level, int name, long value, long lenPtr) {
        return Ws2.getsockopt(s, level, name, value, lenPtr);
    }

    @Override
    public int setsockopt(long s, int level, int name, long value, int len) {
        return Ws2.setsockopt(s, level, name, value, len);
    }

    @Override
    public int getsockname(long s, long name, long lenPtr) {
        return Ws2.getsockname(s, name, lenPtr);
    }

    @Override
    public int getpeername(long s, long name, long lenPtr) {
        return Ws2.getpeername(s, name, lenPtr);
    }

    @Override
    public int shutdown(long s, int how) {
        return Ws2.shutdown(s, how);
    }

    @Override
    public int closesocket(long s) {
        return Ws2.closesocket(s);
    }

    @Override
    public int lastError() {
        return Ws2.lastError();
    }
}
