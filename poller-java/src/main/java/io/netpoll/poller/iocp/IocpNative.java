package io.netpoll.poller.iocp;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import io.netpoll.poller.sys.windows.WinStructs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The Windows side of {@link IocpSyscalls}: kernel32 (completion ports), ntdll (the AFD device)
 * and ws2_32 (SIO_BASE_HANDLE), through JNA direct mapping. Each library binds when first used,
 * so this class is inert on other OSes. The last error is read with {@link Native#getLastError()},
 * which JNA preserves after every call.
 *
 * <p>Never run here: Windows JDKs cannot be installed on these machines, so this class is compiled
 * but not executed in CI; the backend logic above it runs against a test double.
 */
public final class IocpNative implements IocpSyscalls {
    /** The AFD device path; the last component is arbitrary (the driver ignores it). */
    static final String AFD_DEVICE = "\\Device\\Afd\\NetpollJvm";
    private static final int SYNCHRONIZE = 0x00100000;
    private static final int FILE_SHARE_READ = 0x1;
    private static final int FILE_SHARE_WRITE = 0x2;
    private static final int FILE_OPEN = 0x1;
    private static final byte FILE_SKIP_SET_EVENT_ON_HANDLE = 0x2;
    private static final int SIO_BASE_HANDLE = 0x48000022;

    private static final class Kernel32 {
        static {
            Native.register(Kernel32.class, NativeLibrary.getInstance("kernel32"));
        }

        static native long CreateIoCompletionPort(long file, long existingPort, long key, int threads);

        static native int GetQueuedCompletionStatusEx(long port, long entries, int count, long removed, int millis, int alertable);

        static native int PostQueuedCompletionStatus(long port, int bytes, long key, long overlapped);

        static native int SetFileCompletionNotificationModes(long file, byte flags);

        static native int CloseHandle(long handle);
    }

    private static final class Ntdll {
        static {
            Native.register(Ntdll.class, NativeLibrary.getInstance("ntdll"));
        }

        static native int NtCreateFile(long handleOut, int access, long objectAttributes, long ioStatusBlock, long allocationSize,
                                       int fileAttributes, int shareAccess, int disposition, int options, long eaBuffer, int eaLength);

        static native int NtDeviceIoControlFile(long file, long event, long apcRoutine, long apcContext, long ioStatusBlock,
                                                int code, long input, int inputLength, long output, int outputLength);

        static native int NtCancelIoFileEx(long file, long ioStatusBlock, long resultIoStatusBlock);
    }

    private static final class Ws2 {
        static {
            Native.register(Ws2.class, NativeLibrary.getInstance("ws2_32"));
        }

        static native int WSAIoctl(long socket, int code, long in, int inLength, long out, int outLength, long bytesReturned,
                                   long overlapped, long completionRoutine);
    }

    @Override
    public long createIoCompletionPort(long file, long existingPort, long completionKey, int concurrentThreads) {
        return Kernel32.CreateIoCompletionPort(file, existingPort, completionKey, concurrentThreads);
    }

    @Override
    public int getQueuedCompletionStatusEx(long port, long entries, int count, long numRemovedPtr, int timeoutMillis, boolean alertable) {
        return Kernel32.GetQueuedCompletionStatusEx(port, entries, count, numRemovedPtr, timeoutMillis, alertable ? 1 : 0);
    }

    @Override
    public int postQueuedCompletionStatus(long port, int bytes, long completionKey, long overlapped) {
        return Kernel32.PostQueuedCompletionStatus(port, bytes, completionKey, overlapped);
    }

    @Override
    public long openAfd() throws IOException {
        byte[] name = AFD_DEVICE.getBytes(StandardCharsets.UTF_16LE);
        try (Memory m = new Memory(name.length + 2L + WinStructs.UNICODE_STRING_SIZE + WinStructs.OBJECT_ATTRIBUTES_SIZE
                + WinStructs.IO_STATUS_BLOCK_SIZE + 8)) {
            m.clear();
            long base = Pointer.nativeValue(m);
            long ustr = name.length + 2L;
            ustr = (ustr + 7) & ~7L;
            long oa = ustr + WinStructs.UNICODE_STRING_SIZE;
            long iosb = oa + WinStructs.OBJECT_ATTRIBUTES_SIZE;
            long handle = iosb + WinStructs.IO_STATUS_BLOCK_SIZE;
            m.write(0, name, 0, name.length);
            m.setShort(ustr + WinStructs.USTR_LENGTH, (short) name.length);
            m.setShort(ustr + WinStructs.USTR_MAXIMUM_LENGTH, (short) name.length);
            m.setLong(ustr + WinStructs.USTR_BUFFER, base);
            m.setInt(oa + WinStructs.OA_LENGTH, WinStructs.OBJECT_ATTRIBUTES_SIZE);
            m.setLong(oa + WinStructs.OA_OBJECT_NAME, base + ustr);
            int status = Ntdll.NtCreateFile(base + handle, SYNCHRONIZE, base + oa, base + iosb, 0, 0,
                    FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, 0, 0, 0);
            if (status != Afd.STATUS_SUCCESS) {
                throw new IOException("NtCreateFile(" + AFD_DEVICE + ") failed: NTSTATUS 0x" + Integer.toHexString(status));
            }
            long h = m.getLong(handle);
            if (Kernel32.SetFileCompletionNotificationModes(h, FILE_SKIP_SET_EVENT_ON_HANDLE) == 0) {
                int err = Native.getLastError();
                Kernel32.CloseHandle(h);
                throw new IOException("SetFileCompletionNotificationModes failed: error " + err);
            }
            return h;
        }
    }

    @Override
    public int ntDeviceIoControlFile(long file, long event, long apcRoutine, long apcContext, long ioStatusBlock,
                                     int ioControlCode, long input, int inputLength, long output, int outputLength) {
        return Ntdll.NtDeviceIoControlFile(file, event, apcRoutine, apcContext, ioStatusBlock, ioControlCode,
                input, inputLength, output, outputLength);
    }

    @Override
    public int ntCancelIoFileEx(long file, long ioStatusBlock, long resultIoStatusBlock) {
        return Ntdll.NtCancelIoFileEx(file, ioStatusBlock, resultIoStatusBlock);
    }

    @Override
    public long baseSocket(long socket) {
        try (Memory m = new Memory(12)) {
            long base = Pointer.nativeValue(m);
            if (Ws2.WSAIoctl(socket, SIO_BASE_HANDLE, 0, 0, base, 8, base + 8, 0, 0) != 0) {
                return -1;
            }
            return m.getLong(0);
        }
    }

    @Override
    public int closeHandle(long handle) {
        return Kernel32.CloseHandle(handle);
    }

    @Override
    public int lastError() {
        return Native.getLastError();
    }
}
