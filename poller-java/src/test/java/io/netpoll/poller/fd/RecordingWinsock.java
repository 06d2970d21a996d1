package io.netpoll.poller.fd;

import com.sun.jna.Pointer;
import io.netpoll.poller.sys.windows.WinSys;
import io.netpoll.poller.sys.windows.WinsockCalls;

import java.util.ArrayList;
import java.util.List;

/**
 * A test double of Winsock: records every call as text (with the values behind pointer arguments
 * where the layer wrote them), returns what the test scripted, and fails a call with the scripted
 * WSA error. No socket exists; pointer arguments point at the layer's real native memory.
 */
final class RecordingWinsock implements WinsockCalls {
    final List<String> calls = new ArrayList<>();
    long nextSocket = 0x1F4;
    /** The call (by name) that fails, and its WSAGetLastError. */
    String failing;
    int failingError;
    /** Returned by recv/send/WSARecv/WSASend (bytes). */
    int bytes;
    /** Written by getsockopt into its value (as an int, or as two u_shorts for SO_LINGER). */
    int optionValue;
    int lingerOnoff;
    int lingerSeconds;
    private int lastError;

    private boolean fails(String name) {
        if (name.equals(failing)) {
            lastError = failingError;
            return true;
        }
        return false;
    }

    @Override
    public void startup() {
        calls.add("WSAStartup");
    }

    @Override
    public long socket(int af, int type, int protocol, int flags) {
        calls.add("WSASocketW(" + af + ", " + type + ", " + protocol + ", 0x" + Integer.toHexString(flags) + ")");
        return fails("WSASocketW") ? WinSys.INVALID_SOCKET : nextSocket;
    }

    @Override
    public int ioctlsocket(long s, int cmd, long argp) {
        calls.add("ioctlsocket(" + s + ", 0x" + Integer.toHexString(cmd) + ", " + new Pointer(argp).getInt(0) + ")");
        return fails("ioctlsocket") ? WinSys.SOCKET_ERROR : 0;
    }

    @Override
    public int setHandleInformation(long handle, int mask, int flags) {
        calls.add("SetHandleInformation(" + handle + ", " + mask + ", " + flags + ")");
        return fails("SetHandleInformation") ? 0 : 1;
    }

    @Override
    public int bind(long s, long name, int namelen) {
        calls.add("bind(" + s + ", " + namelen + ")");
        return fails("bind") ? WinSys.SOCKET_ERROR : 0;
    }

    @Override
    public int listen(long s, int backlog) {
        calls.add("listen(" + s + ", " + backlog + ")");
        return fails("listen") ? WinSys.SOCKET_ERROR : 0;
    }

    @Override
    public long accept(long s, long addr, long addrlenPtr) {
        calls.add("accept(" + s + ")");
        return fails("accept") ? WinSys.INVALID_SOCKET : nextSocket;
    }

    @Override
    public int connect(long s, long name, int namelen) {
        calls.add("connect(" + s + ", " + namelen + ")");
        return fails("connect") ? WinSys.SOCKET_ERROR : 0;
    }

    @Override
    public int recv(long s, long buf, int len, int flags) {
        calls.add("recv(" + s + ", " + len + ", " + flags + ")");
        return fails("recv") ? WinSys.SOCKET_ERROR : bytes;
    }

    @Override
    public int send(long s, long buf, int len, int flags) {
        calls.add("send(" + s + ", " + len + ", " + flags + ")");
        return fails("send") ? WinSys.SOCKET_ERROR : bytes;
    }

    @Override
    public int recvfrom(long s, long buf, int len, int flags, long from, long fromlenPtr) {
        calls.add("recvfrom(" + s + ", " + len + ", " + flags + ")");
        return fails("recvfrom") ? WinSys.SOCKET_ERROR : bytes;
    }

    @Override
    public int sendto(long s, long buf, int len, int flags, long to, int tolen) {
        calls.add("sendto(" + s + ", " + len + ", " + flags + ", " + tolen + ")");
        return fails("sendto") ? WinSys.SOCKET_ERROR : bytes;
    }

    @Override
    public int wsaRecv(long s, long buffers, int count, long bytesPtr, long flagsPtr) {
        calls.add("WSARecv(" + s + ", " + wsabufs(buffers, count) + ", flags " + new Pointer(flagsPtr).getInt(0) + ")");
        if (fails("WSARecv")) {
            return WinSys.SOCKET_ERROR;
        }
        new Pointer(bytesPtr).setInt(0, bytes);
        return 0;
    }

    @Override
    public int wsaSend(long s, long buffers, int count, long bytesPtr, int flags) {
        calls.add("WSASend(" + s + ", " + wsabufs(buffers, count) + ", flags " + flags + ")");
        if (fails("WSASend")) {
            return WinSys.SOCKET_ERROR;
        }
        new Pointer(bytesPtr).setInt(0, bytes);
        return 0;
    }

    /** The WSABUF array as "[len@0x...,...]" read with Windows' layout (ULONG len at 0, buf at 8). */
    private static String wsabufs(long buffers, int count) {
        Pointer p = new Pointer(buffers);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            sb.append(i == 0 ? "" : ",").append(p.getInt(16L * i)).append("@").append(Long.toHexString(p.getLong(16L * i + 8)));
        }
        return sb.append("]").toString();
    }

    @Override
    public int getsockopt(long s, int level, int name, long value, long lenPtr) {
        calls.add("getsockopt(" + s + ", 0x" + Integer.toHexString(level) + ", 0x" + Integer.toHexString(name) + ", len "
                + new Pointer(lenPtr).getInt(0) + ")");
        if (fails("getsockopt")) {
            return WinSys.SOCKET_ERROR;
        }
        Pointer v = new Pointer(value);
        if (name == WinSys.SO_LINGER) {
            v.setShort(0, (short) lingerOnoff);
            v.setShort(2, (short) lingerSeconds);
            new Pointer(lenPtr).setInt(0, WinSys.LINGER_SIZE);
        } else {
            v.setInt(0, optionValue);
        }
        return 0;
    }

    @Override
    public int setsockopt(long s, int level, int name, long value, int len) {
        Pointer v = new Pointer(value);
        String shown = len == WinSys.LINGER_SIZE && name == WinSys.SO_LINGER
                ? "{" + v.getShort(0) + ", " + v.getShort(2) + "}" : String.valueOf(v.getInt(0));
        calls.add("setsockopt(" + s + ", 0x" + Integer.toHexString(level) + ", 0x" + Integer.toHexString(name) + ", " + shown
                + ", " + len + ")");
        return fails("setsockopt") ? WinSys.SOCKET_ERROR : 0;
    }

    @Override
    public int getsockname(long s, long name, long lenPtr) {
        calls.add("getsockname(" + s + ")");
        return fails("getsockname") ? WinSys.SOCKET_ERROR : 0;
    }

    @Override
    public int getpeername(long s, long name, long lenPtr) {
        calls.add("getpeername(" + s + ")");
        return fails("getpeername") ? WinSys.SOCKET_ERROR : 0;
    }

    @Override
    public int shutdown(long s, int how) {
        calls.add("shutdown(" + s + ", " + how + ")");
        return fails("shutdown") ? WinSys.SOCKET_ERROR : 0;
    }

    @Override
    public int closesocket(long s) {
        calls.add("closesocket(" + s + ")");
        return fails("closesocket") ? WinSys.SOCKET_ERROR : 0;
    }

    @Override
    public int lastError() {
        return lastError;
    }
}
