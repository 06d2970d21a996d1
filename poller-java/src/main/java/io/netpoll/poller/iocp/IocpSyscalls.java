package io.netpoll.poller.iocp;

import java.io.IOException;

/**
 * The Windows calls {@link IocpPoller} makes, behind an interface so that tests can replace the
 * completion port and the AFD device with a model on Linux. {@link IocpNative} is the real one.
 *
 * <p>Pointers and handles are {@code long}. BOOL results are ints (0 = failure, then
 * {@link #lastError()}); NTSTATUS results are returned as is.
 */
public interface IocpSyscalls {
    long INVALID_HANDLE_VALUE = -1L;
    int INFINITE = 0xFFFFFFFF;
    int WAIT_TIMEOUT = 258;

    /** CreateIoCompletionPort: a new port when {@code existingPort} is 0, else associates {@code file}. */
    long createIoCompletionPort(long file, long existingPort, long completionKey, int concurrentThreads);

    int getQueuedCompletionStatusEx(long port, long entries, int count, long numRemovedPtr, int timeoutMillis, boolean alertable);

    int postQueuedCompletionStatus(long port, int bytes, long completionKey, long overlapped);

    /** Opens a handle to the AFD device (NtCreateFile on {@code \Device\Afd\...}). */
    long openAfd() throws IOException;

    int ntDeviceIoControlFile(long file, long event, long apcRoutine, long apcContext, long ioStatusBlock,
                              int ioControlCode, long input, int inputLength, long output, int outputLength);

    int ntCancelIoFileEx(long file, long ioStatusBlock, long resultIoStatusBlock);

    /** The base service provider socket under {@code socket} (WSAIoctl SIO_BASE_HANDLE); -1 on failure. */
    long baseSocket(long socket);

    int closeHandle(long handle);

    int lastError();
}
