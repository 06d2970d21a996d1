package io.netpoll.poller.sys.windows;

import com.sun.jna.Structure;
import io.netpoll.poller.iocp.Afd;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Windows x64 layouts, twice over: the exact values from the mingw-w64 headers, and the same
 * structures declared field by field as JNA {@link Structure}s (C types spelled with their x64
 * widths: ULONG/DWORD/NTSTATUS int, pointers and ULONG_PTR long), whose natural-alignment layout
 * JNA computes independently.
 */
class WinStructsTest {
    /** Exposes JNA's computed field offsets. */
    public abstract static class Laid extends Structure {
        int offsetOf(String field) {
            return fieldOffset(field);
        }
    }

    @Structure.FieldOrder({"Internal", "InternalHigh", "Offset", "OffsetHigh", "hEvent"})
    public static class Overlapped extends Laid {
        public long Internal;
        public long InternalHigh;
        public int Offset;
        public int OffsetHigh;
        public long hEvent;
    }

    @Structure.FieldOrder({"lpCompletionKey", "lpOverlapped", "Internal", "dwNumberOfBytesTransferred"})
    public static class OverlappedEntry extends Laid {
        public long lpCompletionKey;
        public long lpOverlapped;
        public long Internal;
        public int dwNumberOfBytesTransferred;
    }

    @Structure.FieldOrder({"Status", "Information"})
    public static class IoStatusBlock extends Laid {
        public long Status;
        public long Information;
    }

    @Structure.FieldOrder({"Timeout", "NumberOfHandles", "Exclusive", "Handle", "Events", "Status"})
    public static class AfdPollInfo extends Laid {
        public long Timeout;
        public int NumberOfHandles;
        public int Exclusive;
        public long Handle;
        public int Events;
        public int Status;
    }

    @Structure.FieldOrder({"len", "buf"})
    public static class WsaBuf extends Laid {
        public int len;
        public long buf;
    }

    @Structure.FieldOrder({"Length", "MaximumLength", "Buffer"})
    public static class UnicodeString extends Laid {
        public short Length;
        public short MaximumLength;
        public long Buffer;
    }

    @Structure.FieldOrder({"Length", "RootDirectory", "ObjectName", "Attributes", "SecurityDescriptor", "SecurityQualityOfService"})
    public static class ObjectAttributes extends Laid {
        public int Length;
        public long RootDirectory;
        public long ObjectName;
        public int Attributes;
        public long SecurityDescriptor;
        public long SecurityQualityOfService;
    }

    @Test
    void overlapped_is_32_bytes() {
        assertEquals(32, WinStructs.OVERLAPPED_SIZE);
        assertEquals(0, WinStructs.OVERLAPPED_INTERNAL);
        assertEquals(8, WinStructs.OVERLAPPED_INTERNAL_HIGH);
        assertEquals(16, WinStructs.OVERLAPPED_OFFSET);
        assertEquals(20, WinStructs.OVERLAPPED_OFFSET_HIGH);
        assertEquals(24, WinStructs.OVERLAPPED_HEVENT);
        Overlapped s = new Overlapped();
        assertEquals(WinStructs.OVERLAPPED_SIZE, s.size());
        assertEquals(WinStructs.OVERLAPPED_INTERNAL_HIGH, s.offsetOf("InternalHigh"));
        assertEquals(WinStructs.OVERLAPPED_OFFSET, s.offsetOf("Offset"));
        assertEquals(WinStructs.OVERLAPPED_OFFSET_HIGH, s.offsetOf("OffsetHigh"));
        assertEquals(WinStructs.OVERLAPPED_HEVENT, s.offsetOf("hEvent"));
    }

    @Test
    void overlapped_entry_is_32_bytes() {
        assertEquals(32, WinStructs.OVERLAPPED_ENTRY_SIZE);
        assertEquals(0, WinStructs.ENTRY_COMPLETION_KEY);
        assertEquals(8, WinStructs.ENTRY_OVERLAPPED);
        assertEquals(16, WinStructs.ENTRY_INTERNAL);
        assertEquals(24, WinStructs.ENTRY_BYTES);
        OverlappedEntry s = new OverlappedEntry();
        assertEquals(WinStructs.OVERLAPPED_ENTRY_SIZE, s.size(), "padded to 8");
        assertEquals(WinStructs.ENTRY_OVERLAPPED, s.offsetOf("lpOverlapped"));
        assertEquals(WinStructs.ENTRY_INTERNAL, s.offsetOf("Internal"));
        assertEquals(WinStructs.ENTRY_BYTES, s.offsetOf("dwNumberOfBytesTransferred"));
    }

    @Test
    void io_status_block_is_16_bytes() {
        assertEquals(16, WinStructs.IO_STATUS_BLOCK_SIZE);
        assertEquals(0, WinStructs.IOSB_STATUS);
        assertEquals(8, WinStructs.IOSB_INFORMATION);
        IoStatusBlock s = new IoStatusBlock();
        assertEquals(WinStructs.IO_STATUS_BLOCK_SIZE, s.size());
        assertEquals(WinStructs.IOSB_INFORMATION, s.offsetOf("Information"));
    }

    @Test
    void afd_poll_info_with_one_handle_is_32_bytes() {
        assertEquals(32, WinStructs.AFD_POLL_INFO_SIZE);
        assertEquals(0, WinStructs.AFD_TIMEOUT);
        assertEquals(8, WinStructs.AFD_NUMBER_OF_HANDLES);
        assertEquals(12, WinStructs.AFD_EXCLUSIVE);
        assertEquals(16, WinStructs.AFD_HANDLE);
        assertEquals(24, WinStructs.AFD_EVENTS);
        assertEquals(28, WinStructs.AFD_STATUS);
        AfdPollInfo s = new AfdPollInfo();
        assertEquals(WinStructs.AFD_POLL_INFO_SIZE, s.size());
        assertEquals(WinStructs.AFD_NUMBER_OF_HANDLES, s.offsetOf("NumberOfHandles"));
        assertEquals(WinStructs.AFD_EXCLUSIVE, s.offsetOf("Exclusive"));
        assertEquals(WinStructs.AFD_HANDLE, s.offsetOf("Handle"));
        assertEquals(WinStructs.AFD_EVENTS, s.offsetOf("Events"));
        assertEquals(WinStructs.AFD_STATUS, s.offsetOf("Status"));
    }

    @Test
    void wsabuf_is_16_bytes_with_the_length_first() {
        assertEquals(16, WinStructs.WSABUF_SIZE);
        assertEquals(0, WinStructs.WSABUF_LEN);
        assertEquals(8, WinStructs.WSABUF_BUF);
        WsaBuf s = new WsaBuf();
        assertEquals(WinStructs.WSABUF_SIZE, s.size());
        assertEquals(WinStructs.WSABUF_BUF, s.offsetOf("buf"));
    }

    @Test
    void nt_create_file_arguments_have_their_x64_shapes() {
        assertEquals(16, WinStructs.UNICODE_STRING_SIZE);
        assertEquals(2, WinStructs.USTR_MAXIMUM_LENGTH);
        assertEquals(8, WinStructs.USTR_BUFFER);
        UnicodeString u = new UnicodeString();
        assertEquals(WinStructs.UNICODE_STRING_SIZE, u.size());
        assertEquals(WinStructs.USTR_MAXIMUM_LENGTH, u.offsetOf("MaximumLength"));
        assertEquals(WinStructs.USTR_BUFFER, u.offsetOf("Buffer"));
        assertEquals(48, WinStructs.OBJECT_ATTRIBUTES_SIZE);
        ObjectAttributes o = new ObjectAttributes();
        assertEquals(WinStructs.OBJECT_ATTRIBUTES_SIZE, o.size());
        assertEquals(WinStructs.OA_ROOT_DIRECTORY, o.offsetOf("RootDirectory"));
        assertEquals(WinStructs.OA_OBJECT_NAME, o.offsetOf("ObjectName"));
        assertEquals(WinStructs.OA_ATTRIBUTES, o.offsetOf("Attributes"));
        assertEquals(WinStructs.OA_SECURITY_DESCRIPTOR, o.offsetOf("SecurityDescriptor"));
        assertEquals(WinStructs.OA_SECURITY_QOS, o.offsetOf("SecurityQualityOfService"));
    }

    @Test
    void afd_events_map_to_readiness_like_epoll() {
        assertEquals(io.netpoll.poller.Poller.READ, Afd.readiness(Afd.POLL_RECEIVE));
        assertEquals(io.netpoll.poller.Poller.READ, Afd.readiness(Afd.POLL_ACCEPT));
        assertEquals(io.netpoll.poller.Poller.READ, Afd.readiness(Afd.POLL_DISCONNECT));
        assertEquals(io.netpoll.poller.Poller.WRITE, Afd.readiness(Afd.POLL_SEND));
        assertEquals(3, Afd.readiness(Afd.POLL_ABORT));
        assertEquals(3, Afd.readiness(Afd.POLL_CONNECT_FAIL));
        assertEquals(0, Afd.readiness(Afd.POLL_LOCAL_CLOSE));
        assertEquals(0x1bd, Afd.eventsFor(3), "every event but RECEIVE_EXPEDITED (0x2) and 0x40");
        assertEquals(true, Afd.isError(Afd.STATUS_CANCELLED));
        assertEquals(false, Afd.isError(Afd.STATUS_PENDING));
        assertEquals(0x00012024, Afd.IOCTL_AFD_POLL);
    }
}
