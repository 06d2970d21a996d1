package io.netpoll.poller.iouring;

import java.util.ArrayList;
import java.util.List;

/**
 * What the io_uring backend needs from the kernel, checked once when it starts, so that a kernel
 * without it fails at once with a message naming what is missing rather than misbehaving later.
 *
 * <ul>
 *   <li>Linux 5.13 or later: multishot poll ({@code IORING_POLL_ADD_MULTI}) is a flag of
 *       IORING_OP_POLL_ADD, which the opcode probe cannot see, so the kernel version stands for it;</li>
 *   <li>features IORING_FEAT_NODROP (5.5: a full CQ keeps completions instead of dropping them)
 *       and IORING_FEAT_EXT_ARG (5.11: io_uring_enter takes a timeout); IORING_FEAT_SINGLE_MMAP
 *       (5.4) is checked by {@link Ring#setup}, which needs it to map the rings;</li>
 *   <li>opcodes, from IORING_REGISTER_PROBE (5.6): IORING_OP_NOP (the wakeup),
 *       IORING_OP_POLL_ADD and IORING_OP_POLL_REMOVE.</li>
 * </ul>
 * {@link #check} is a function of those facts alone, so every answer can be tested on any kernel.
 */
final class Probe {
    static final int IORING_OP_NOP = 0;
    static final int IORING_OP_POLL_ADD = 6;
    static final int IORING_OP_POLL_REMOVE = 7;

    static final int MIN_MAJOR = 5;
    static final int MIN_MINOR = 13;

    private static final int[] OPCODES = {IORING_OP_NOP, IORING_OP_POLL_ADD, IORING_OP_POLL_REMOVE};
    private static final String[] OPCODE_NAMES = {"IORING_OP_NOP", "IORING_OP_POLL_ADD", "IORING_OP_POLL_REMOVE"};

    private Probe() {}

    /**
     * Checks this kernel's facts: its release ({@code uname -r}), the ring's feature bits and the
     * probed opcodes (indexed by opcode).
     *
     * @throws IllegalStateException naming the kernel and everything it lacks
     */
    static void check(String kernelRelease, int features, boolean[] supportedOpcodes) {
        List<String> missing = new ArrayList<>();
        int[] version = version(kernelRelease);
        if (version[0] < MIN_MAJOR || (version[0] == MIN_MAJOR && version[1] < MIN_MINOR)) {
            missing.add("multishot poll (IORING_POLL_ADD_MULTI, Linux " + MIN_MAJOR + "." + MIN_MINOR + ")");
        }
        if ((features & Ring.IORING_FEAT_NODROP) == 0) {
            missing.add("IORING_FEAT_NODROP (Linux 5.5)");
        }
        if ((features & Ring.IORING_FEAT_EXT_ARG) == 0) {
            missing.add("IORING_FEAT_EXT_ARG (Linux 5.11)");
        }
        for (int i = 0; i < OPCODES.length; i++) {
            int op = OPCODES[i];
            if (op >= supportedOpcodes.length || !supportedOpcodes[op]) {
                missing.add("opcode " + OPCODE_NAMES[i]);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("netpoll: the io_uring backend needs Linux " + MIN_MAJOR + "." + MIN_MINOR
                    + " or later; kernel " + kernelRelease + " lacks " + String.join(", ", missing)
                    + "; use -Dnetpoll.backend=epoll");
        }
    }

    /** {@code major.minor} of a kernel release such as {@code 6.1.0-18-amd64}; {0, 0} if unreadable. */
    static int[] version(String release) {
        int[] v = new int[2];
        int part = 0;
        for (int i = 0; i < release.length() && part < 2; i++) {
            char c = release.charAt(i);
            if (c >= '0' && c <= '9') {
                v[part] = v[part] * 10 + (c - '0');
            } else if (c == '.') {
                part++;
            } else {
                break;
            }
        }
        return v;
    }
}
