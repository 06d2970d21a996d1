package io.netpoll.poller.sys.windows;

import java.io.IOException;

/**
 * The Winsock calls the Windows socket layer makes, behind an interface so that its call sequences
 * (WSAStartup before the first socket, WSASocketW then FIONBIO, accept then FIONBIO and no handle
 * inheritance, WSAEWOULDBLOCK on connect) run against a recording double on Linux. SOCKETs and
 * pointers are {@code long}; a failed call returns SOCKET_ERROR or INVALID_SOCKET and
 * {@link #lastError()} is WSAGetLastError. {@link WinsockNative} is the real one.
 */
public interface WinsockCalls {
    /** WSAStartup(2.2) once per process. */
    void startup() throws IOException;

    /** WSASocketW(af, type, protocol, NULL, 0, flags). */
    long socket(int af, int type, int protocol, int flags);

    int ioctlsocket(long s, int cmd, long argp);

    /** kernel32 SetHandleInformation: nonzero on success. */
    int setHandleInformation(long handle, int mask, int flags);

    int bind(long s, long name, int namelen);

    int listen(long s, int backlog);

    long accept(long s, long addr, long addrlenPtr);

    int connect(long s, long name, int namelen);

    int recv(long s, long buf, int len, int flags);

    int send(long s, long buf, int len, int flags);

    int recvfrom(long s, long buf, int len, int flags, long from, long fromlenPtr);

    int sendto(long s, long buf, int len, int flags, long to, int tolen);

    /** WSARecv without OVERLAPPED: {@code flagsPtr} in/out, bytes received at {@code bytesPtr}. */
    int wsaRecv(long s, long buffers, int count, long bytesPtr, long flagsPtr);

    /** WSASend without OVERLAPPED: bytes sent at {@code bytesPtr}. */
    int wsaSend(long s, long buffers, int count, long bytesPtr, int flags);

    int getsockopt(long s, int level, int name, long value, long lenPtr);

    int setsockopt(long s, int level, int name, long value, int len);

    int getsockname(long s, long name, long lenPtr);

    int getpeername(long s, long name, long lenPtr);

    int shutdown(long s, int how);

    int closesocket(long s);

    int lastError();
}
