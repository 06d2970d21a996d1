package io.netpoll.poller.fd;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.poller.sys.Sys;

/**
 * A struct msghdr naming only an iovec array, for sendmsg(2) on Linux and the BSDs. The fields
 * used sit at the same offsets on all of them (msg_iov at 16, msg_iovlen at 24); msg_iovlen is a
 * size_t on Linux and an int followed by padding on the BSDs, and the little-endian 8-byte store
 * below is right for both (x86_64 and arm64 are little-endian).
 */
final class Msghdr {
    private Msghdr() {}

    /** Writes a msghdr at {@code offset} of {@code vec} for the {@code cnt} vectors at its start; returns its address. */
    static long put(Memory vec, long offset, int cnt) {
        long base = Pointer.nativeValue(vec);
        vec.setMemory(offset, Sys.MSGHDR_SIZE, (byte) 0);
        vec.setLong(offset + Sys.MSGHDR_IOV_OFFSET, base);
        vec.setLong(offset + Sys.MSGHDR_IOVLEN_OFFSET, cnt);
        return base + offset;
    }
}
