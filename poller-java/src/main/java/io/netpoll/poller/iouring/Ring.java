package io.netpoll.poller.iouring;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.netpoll.poller.sys.Errno;
import io.netpoll.poller.sys.LinuxCalls;
import io.netpoll.poller.sys.NativeLayer;
import io.netpoll.poller.sys.Sys;

import java.io.Closeable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One io_uring instance: the submission and completion rings the kernel shares with us, and the
 * three system calls over them (io_uring_setup(2), io_uring_enter(2), io_uring_register(2)).
 * Nothing here knows about polling; {@link IoUringPoller} decides what is submitted.
 *
 * <h2>Memory and ordering</h2>
 * The SQ and CQ rings are one shared mapping (IORING_FEAT_SINGLE_MMAP), the SQE array a second;
 * both are read and written as direct ByteBuffers over the mapped addresses. The indexes follow
 * the io_uring memory model (liburing's barriers): the kernel writes the SQ head and the CQ tail,
 * we write the SQ tail and the CQ head.
 * <ul>
 *   <li>submit: fill the SQE with plain writes, then store the SQ tail with release semantics, so
 *       the kernel never sees the tail before the entry;</li>
 *   <li>reap: load the CQ tail with acquire semantics before reading the entries below it, and
 *       store the CQ head with release semantics after reading them, so the kernel never reuses a
 *       slot we are still reading;</li>
 *   <li>the SQ head and the SQ flags are loaded with acquire semantics.</li>
 * </ul>
 * The SQ index array is filled once with the identity (slot i holds SQE i), so a submission
 * touches only its SQE and the tail.
 *
 * <h2>Threads</h2>
 * The ring does no locking. The owner serialises {@link #prepare} with other submissions and
 * {@link #cqe}/{@link #cqAdvance} with other reaping; {@link #enter} may be called from any
 * thread at any time (the kernel serialises it).
 */
final class Ring implements Closeable {
    // struct io_uring_params (include/uapi/linux/io_uring.h), 120 bytes
    static final int PARAMS_SIZE = 120;
    private static final int P_SQ_ENTRIES = 0;
    private static final int P_CQ_ENTRIES = 4;
    private static final int P_FLAGS = 8;
    private static final int P_FEATURES = 20;
    private static final int P_SQ_OFF = 40;
    private static final int P_CQ_OFF = 80;
    // struct io_sqring_offsets, from P_SQ_OFF
    private static final int SQ_HEAD = 0;
    private static final int SQ_TAIL = 4;
    private static final int SQ_RING_MASK = 8;
    private static final int SQ_FLAGS = 16;
    private static final int SQ_ARRAY = 24;
    // struct io_cqring_offsets, from P_CQ_OFF
    private static final int CQ_HEAD = 0;
    private static final int CQ_TAIL = 4;
    private static final int CQ_RING_MASK = 8;
    private static final int CQ_CQES = 20;

    static final int SQE_SIZE = 64;
    static final int CQE_SIZE = 16;
    // struct io_uring_sqe
    private static final int SQE_OPCODE = 0;
    private static final int SQE_FLAGS = 1;
    private static final int SQE_IOPRIO = 2;
    private static final int SQE_FD = 4;
    private static final int SQE_ADDR = 16;
    private static final int SQE_LEN = 24;
    private static final int SQE_OP_FLAGS = 28;
    private static final int SQE_USER_DATA = 32;
    private static final int SQE_BUF_GROUP = 40;
    // struct io_uring_cqe
    private static final int CQE_USER_DATA = 0;
    private static final int CQE_RES = 8;
    private static final int CQE_FLAGS = 12;

    private static final long IORING_OFF_SQ_RING = 0L;
    private static final long IORING_OFF_SQES = 0x10000000L;

    static final int IORING_SETUP_CQSIZE = 1 << 3;
    static final int IORING_SETUP_CLAMP = 1 << 4;

    static final int IORING_FEAT_SINGLE_MMAP = 1;
    static final int IORING_FEAT_NODROP = 1 << 1;
    static final int IORING_FEAT_EXT_ARG = 1 << 8;

    static final int IORING_ENTER_GETEVENTS = 1;
    static final int IORING_ENTER_EXT_ARG = 1 << 3;

    static final int IORING_SQ_CQ_OVERFLOW = 1 << 1;
    static final int IORING_SQ_TASKRUN = 1 << 2;

    static final int IORING_CQE_F_MORE = 1 << 1;

    static final int IORING_REGISTER_PROBE = 8;
    /** struct io_uring_probe: a 16-byte header, then 8 bytes per opcode. */
    private static final int PROBE_OPS = 256;
    private static final int PROBE_HEADER = 16;
    private static final int PROBE_OP_SIZE = 8;
    private static final int IO_URING_OP_SUPPORTED = 1;

    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final LinuxCalls linux;
    final int fd;
    final int features;
    final int sqEntries;
    final int cqEntries;
    private final long ringAddr;
    private final long ringSize;
    private final long sqesAddr;
    private final long sqesSize;
    private final ByteBuffer ring;
    private final ByteBuffer sqes;
    private final int sqHead;
    private final int sqTailIndex;
    private final int sqMask;
    private final int sqFlags;
    private final int cqHeadIndex;
    private final int cqTail;
    private final int cqMask;
    private final int cqes;
    /** Our copy of the SQ tail; guarded by the owner's submission lock. */
    private int sqTail;
    /** Our copy of the CQ head; guarded by the owner's reaping lock. */
    private int cqHead;

    private Ring(LinuxCalls linux, int fd, Memory params, long ringAddr, long ringSize, long sqesAddr, long sqesSize) {
        this.linux = linux;
        this.fd = fd;
        this.features = params.getInt(P_FEATURES);
        this.sqEntries = params.getInt(P_SQ_ENTRIES);
        this.cqEntries = params.getInt(P_CQ_ENTRIES);
        this.ringAddr = ringAddr;
        this.ringSize = ringSize;
        this.sqesAddr = sqesAddr;
        this.sqesSize = sqesSize;
        this.ring = new Pointer(ringAddr).getByteBuffer(0, ringSize).order(ByteOrder.nativeOrder());
        this.sqes = new Pointer(sqesAddr).getByteBuffer(0, sqesSize).order(ByteOrder.nativeOrder());
        this.sqHead = params.getInt(P_SQ_OFF + SQ_HEAD);
        this.sqTailIndex = params.getInt(P_SQ_OFF + SQ_TAIL);
        this.sqMask = ring.getInt(params.getInt(P_SQ_OFF + SQ_RING_MASK));
        this.sqFlags = params.getInt(P_SQ_OFF + SQ_FLAGS);
        this.cqHeadIndex = params.getInt(P_CQ_OFF + CQ_HEAD);
        this.cqTail = params.getInt(P_CQ_OFF + CQ_TAIL);
        this.cqMask = ring.getInt(params.getInt(P_CQ_OFF + CQ_RING_MASK));
        this.cqes = params.getInt(P_CQ_OFF + CQ_CQES);
        int array = params.getInt(P_SQ_OFF + SQ_ARRAY);
        for (int i = 0; i < sqEntries; i++) {
            ring.putInt(array + 4 * i, i);
        }
        this.sqTail = (int) INT.getAcquire(ring, sqTailIndex);
        this.cqHead = (int) INT.getAcquire(ring, cqHeadIndex);
    }

    /**
     * io_uring_setup(2) with {@code sqEntries} submission and {@code cqEntries} completion slots
     * (rounded up to powers of two by the kernel, and clamped to its limits), and the mapping of
     * both rings. The kernel must have IORING_FEAT_SINGLE_MMAP (5.4); {@link Probe} checks the rest.
     *
     * @throws IllegalStateException when io_uring cannot be used here: no such system call
     *     (ENOSYS: a kernel without it, or a seccomp filter such as a container runtime's), not
     *     permitted (EPERM: {@code kernel.io_uring_disabled}), or a kernel too old for one mapping
     * @throws java.io.IOException for any other failure (EMFILE, ENOMEM, ...)
     */
    static Ring setup(int sqEntries, int cqEntries) throws java.io.IOException {
        return setup(sqEntries, cqEntries, 0);
    }

    /** {@link #setup(int, int)} with more IORING_SETUP_* flags (a ring one thread owns, for example). */
    static Ring setup(int sqEntries, int cqEntries, int setupFlags) throws java.io.IOException {
        return setup(NativeLayer.linux(), sqEntries, cqEntries, setupFlags);
    }

    /** {@link #setup(int, int, int)} through the given calls (a test gives calls that fail). */
    static Ring setup(LinuxCalls linux, int sqEntries, int cqEntries, int setupFlags) throws java.io.IOException {
        try (Memory params = new Memory(PARAMS_SIZE)) {
            params.clear();
            params.setInt(P_FLAGS, IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP | setupFlags);
            params.setInt(P_CQ_ENTRIES, cqEntries);
            int fd = linux.io_uring_setup(sqEntries, Pointer.nativeValue(params));
            if (fd < 0) {
                int errno = -fd;
                if (errno == ENOSYS || errno == Errno.EACCES || errno == EPERM) {
                    throw new IllegalStateException("netpoll: io_uring is not available: io_uring_setup failed with "
                            + Errno.text(errno) + " (errno " + errno + "); io_uring is turned off by the sysctl "
                            + "kernel.io_uring_disabled, refused by a seccomp filter (some container runtimes block it "
                            + "by default), or missing from this kernel (" + System.getProperty("os.version") + ")");
                }
                throw Errno.exception("io_uring_setup", errno);
            }
            int features = params.getInt(P_FEATURES);
            if ((features & IORING_FEAT_SINGLE_MMAP) == 0) {
                NativeLayer.posix().close(fd);
                throw new IllegalStateException("netpoll: the io_uring backend needs IORING_FEAT_SINGLE_MMAP (Linux 5.4); "
                        + "kernel " + System.getProperty("os.version") + " lacks it");
            }
            int sqN = params.getInt(P_SQ_ENTRIES);
            int cqN = params.getInt(P_CQ_ENTRIES);
            long sqRingSize = params.getInt(P_SQ_OFF + SQ_ARRAY) + 4L * sqN;
            long cqRingSize = params.getInt(P_CQ_OFF + CQ_CQES) + (long) CQE_SIZE * cqN;
            long ringSize = Math.max(sqRingSize, cqRingSize);
            long ringAddr = linux.mmap(0, ringSize, Sys.PROT_READ | Sys.PROT_WRITE, Sys.MAP_SHARED | Sys.MAP_POPULATE,
                    fd, IORING_OFF_SQ_RING);
            if (ringAddr < 0) {
                NativeLayer.posix().close(fd);
                throw Errno.exception("mmap(io_uring rings)", (int) -ringAddr);
            }
            long sqesSize = (long) SQE_SIZE * sqN;
            long sqesAddr = linux.mmap(0, sqesSize, Sys.PROT_READ | Sys.PROT_WRITE, Sys.MAP_SHARED | Sys.MAP_POPULATE,
                    fd, IORING_OFF_SQES);
            if (sqesAddr < 0) {
                linux.munmap(ringAddr, ringSize);
                NativeLayer.posix().close(fd);
                throw Errno.exception("mmap(io_uring sqes)", (int) -sqesAddr);
            }
            return new Ring(linux, fd, params, ringAddr, ringSize, sqesAddr, sqesSize);
        }
    }

    static final int EPERM = 1;
    static final int ENOSYS = 38;
    static final int EBUSY = 16;
    static final int ETIME = 62;

    /**
     * IORING_REGISTER_PROBE (Linux 5.6): which opcodes this kernel supports, indexed by opcode.
     * A kernel without the probe answers EINVAL; then nothing is known to be supported.
     */
    boolean[] supportedOpcodes() {
        boolean[] supported = new boolean[PROBE_OPS];
        try (Memory probe = new Memory(PROBE_HEADER + (long) PROBE_OP_SIZE * PROBE_OPS)) {
            probe.clear();
            if (register(IORING_REGISTER_PROBE, Pointer.nativeValue(probe), PROBE_OPS) < 0) {
                return supported;
            }
            int opsLen = probe.getByte(1) & 0xff;
            for (int i = 0; i < opsLen; i++) {
                long op = PROBE_HEADER + (long) PROBE_OP_SIZE * i;
                if ((probe.getShort(op + 2) & IO_URING_OP_SUPPORTED) != 0) {
                    supported[probe.getByte(op) & 0xff] = true;
                }
            }
        }
        return supported;
    }

    /**
     * Writes one SQE and publishes it (release store of the SQ tail); false if the SQ is full.
     * The caller holds the submission lock and calls {@link #enter} to submit it.
     */
    boolean prepare(int opcode, int fd, long addr, int len, int opFlags, long userData) {
        return prepare(opcode, 0, 0, fd, addr, len, opFlags, 0, userData);
    }

    /**
     * {@link #prepare(int, int, long, int, int, long)} with every field an SQE may need: its IOSQE_*
     * flags, the ioprio word (an opcode's own flags, such as multishot), and the provided-buffer group.
     */
    boolean prepare(int opcode, int sqeFlags, int ioprio, int fd, long addr, int len, int opFlags, int bufGroup,
                    long userData) {
        // hot path: no allocation
        int head = (int) INT.getAcquire(ring, sqHead);
        if (sqTail - head >= sqEntries) {
            return false;
        }
        int off = (sqTail & sqMask) * SQE_SIZE;
        for (int i = 0; i < SQE_SIZE; i += 8) {
            sqes.putLong(off + i, 0L);
        }
        sqes.put(off + SQE_OPCODE, (byte) opcode);
        sqes.put(off + SQE_FLAGS, (byte) sqeFlags);
        sqes.putShort(off + SQE_IOPRIO, (short) ioprio);
        sqes.putInt(off + SQE_FD, fd);
        sqes.putLong(off + SQE_ADDR, addr);
        sqes.putInt(off + SQE_LEN, len);
        sqes.putInt(off + SQE_OP_FLAGS, opFlags);
        sqes.putLong(off + SQE_USER_DATA, userData);
        sqes.putShort(off + SQE_BUF_GROUP, (short) bufGroup);
        sqTail++;
        INT.setRelease(ring, sqTailIndex, sqTail);
        return true;
    }

    /** io_uring_register(2): the result, or -errno. */
    int register(int opcode, long arg, int nrArgs) {
        return linux.io_uring_register(fd, opcode, arg, nrArgs);
    }

    /** io_uring_enter(2): the result, or -errno. */
    int enter(int toSubmit, int minComplete, int flags, long arg, long argSize) {
        return linux.io_uring_enter(fd, toSubmit, minComplete, flags, arg, argSize);
    }

    /** The SQ ring's flags word (IORING_SQ_CQ_OVERFLOW, IORING_SQ_TASKRUN). */
    int sqFlags() {
        return (int) INT.getAcquire(ring, sqFlags);
    }

    /** Completions ready to reap (acquire load of the CQ tail); the caller holds the reaping lock. */
    int cqReady() {
        return (int) INT.getAcquire(ring, cqTail) - cqHead;
    }

    /** The byte offset in the ring of the {@code i}-th unreaped CQE, for {@link #cqeUserData} etc. */
    int cqe(int i) {
        return cqes + ((cqHead + i) & cqMask) * CQE_SIZE;
    }

    long cqeUserData(int cqe) {
        return ring.getLong(cqe + CQE_USER_DATA);
    }

    int cqeRes(int cqe) {
        return ring.getInt(cqe + CQE_RES);
    }

    int cqeFlags(int cqe) {
        return ring.getInt(cqe + CQE_FLAGS);
    }

    /** Hands {@code n} reaped CQEs back to the kernel (release store of the CQ head). */
    void cqAdvance(int n) {
        cqHead += n;
        INT.setRelease(ring, cqHeadIndex, cqHead);
    }

    @Override
    public void close() {
        linux.munmap(sqesAddr, sqesSize);
        linux.munmap(ringAddr, ringSize);
        NativeLayer.posix().close(fd);
    }
}
