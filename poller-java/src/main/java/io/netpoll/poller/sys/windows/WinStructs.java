package io.netpoll.poller.sys.windows;

/**
 * Sizes and field offsets of the Windows x64 structures the IOCP backend and the Winsock bindings
 * read and write (values from the mingw-w64 headers; all pointers and ULONG_PTRs are 8 bytes,
 * ULONG and NTSTATUS 4, and every structure is naturally aligned).
 */
public final class WinStructs {
    private WinStructs() {}

    /** OVERLAPPED: Internal, InternalHigh (ULONG_PTR), Offset, OffsetHigh (DWORD), hEvent. */
    public static final int OVERLAPPED_SIZE = 32;
    public static final int OVERLAPPED_INTERNAL = 0;
    public static final int OVERLAPPED_INTERNAL_HIGH = 8;
    public static final int OVERLAPPED_OFFSET = 16;
    public static final int OVERLAPPED_OFFSET_HIGH = 20;
    public static final int OVERLAPPED_HEVENT = 24;

    /** OVERLAPPED_ENTRY, as GetQueuedCompletionStatusEx fills it. */
    public static final int OVERLAPPED_ENTRY_SIZE = 32;
    public static final int ENTRY_COMPLETION_KEY = 0;
    public static final int ENTRY_OVERLAPPED = 8;
    public static final int ENTRY_INTERNAL = 16;
    public static final int ENTRY_BYTES = 24;

    /** IO_STATUS_BLOCK: a union of NTSTATUS Status / PVOID Pointer, then ULONG_PTR Information. */
    public static final int IO_STATUS_BLOCK_SIZE = 16;
    public static final int IOSB_STATUS = 0;
    public static final int IOSB_INFORMATION = 8;

    /** AFD_POLL_INFO with one AFD_POLL_HANDLE_INFO (Handle, Events, Status). */
    public static final int AFD_POLL_INFO_SIZE = 32;
    public static final int AFD_TIMEOUT = 0;
    public static final int AFD_NUMBER_OF_HANDLES = 8;
    public static final int AFD_EXCLUSIVE = 12;
    public static final int AFD_HANDLE = 16;
    public static final int AFD_EVENTS = 24;
    public static final int AFD_STATUS = 28;

    /** WSABUF: ULONG len, then CHAR* buf. */
    public static final int WSABUF_SIZE = 16;
    public static final int WSABUF_LEN = 0;
    public static final int WSABUF_BUF = 8;

    /** UNICODE_STRING: USHORT Length, USHORT MaximumLength (both in bytes), PWSTR Buffer. */
    public static final int UNICODE_STRING_SIZE = 16;
    public static final int USTR_LENGTH = 0;
    public static final int USTR_MAXIMUM_LENGTH = 2;
    public static final int USTR_BUFFER = 8;

    /** OBJECT_ATTRIBUTES, as NtCreateFile takes it. */
    public static final int OBJECT_ATTRIBUTES_SIZE = 48;
    public static final int OA_LENGTH = 0;
    public static final int OA_ROOT_DIRECTORY = 8;
    public static final int OA_OBJECT_NAME = 16;
    public static final int OA_ATTRIBUTES = 24;
    public static final int OA_SECURITY_DESCRIPTOR = 32;
    public static final int OA_SECURITY_QOS = 40;

    /** WSADATA on x64 (the caller only provides room for it). */
    public static final int WSADATA_SIZE = 408;
}
