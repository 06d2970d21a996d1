package io.netpoll.poller.iouring;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel check the io_uring backend makes when it starts, fed the facts of kernels we do not have. */
class ProbeTest {
    private static final int ALL_FEATURES = Ring.IORING_FEAT_SINGLE_MMAP | Ring.IORING_FEAT_NODROP | Ring.IORING_FEAT_EXT_ARG;

    private static boolean[] allOpcodes() {
        boolean[] ops = new boolean[256];
        Arrays.fill(ops, true);
        return ops;
    }

    @Test
    void a_kernel_with_everything_passes() {
        assertDoesNotThrow(() -> Probe.check("6.1.0-18-amd64", ALL_FEATURES, allOpcodes()));
        assertDoesNotThrow(() -> Probe.check("5.13.0", ALL_FEATURES, allOpcodes()));
    }

    @Test
    void a_missing_opcode_is_named() {
        boolean[] ops = allOpcodes();
        ops[Probe.IORING_OP_POLL_ADD] = false;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Probe.check("6.1.0", ALL_FEATURES, ops));
        assertTrue(e.getMessage().contains("opcode IORING_OP_POLL_ADD"), e.getMessage());
        assertTrue(e.getMessage().contains("kernel 6.1.0"), e.getMessage());
        assertTrue(e.getMessage().contains("-Dnetpoll.backend=epoll"), e.getMessage());
    }

    @Test
    void a_kernel_without_the_probe_lacks_every_opcode() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Probe.check("6.1.0", ALL_FEATURES, new boolean[256]));
        for (String op : new String[] {"IORING_OP_NOP", "IORING_OP_POLL_ADD", "IORING_OP_POLL_REMOVE"}) {
            assertTrue(e.getMessage().contains(op), e.getMessage());
        }
    }

    @Test
    void a_kernel_before_multishot_poll_is_refused() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Probe.check("5.10.0-28-amd64", ALL_FEATURES, allOpcodes()));
        assertTrue(e.getMessage().contains("multishot poll"), e.getMessage());
        assertTrue(e.getMessage().contains("5.10.0-28-amd64"), e.getMessage());
    }

    @Test
    void missing_features_are_named() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Probe.check("6.1.0", Ring.IORING_FEAT_SINGLE_MMAP, allOpcodes()));
        assertTrue(e.getMessage().contains("IORING_FEAT_NODROP"), e.getMessage());
        assertTrue(e.getMessage().contains("IORING_FEAT_EXT_ARG"), e.getMessage());
    }

    @Test
    void kernel_releases_are_read_as_major_and_minor() {
        assertArrayEquals(new int[] {6, 18}, Probe.version("6.18.0-1-cloud-amd64"));
        assertArrayEquals(new int[] {5, 4}, Probe.version("5.4.0"));
        assertArrayEquals(new int[] {4, 19}, Probe.version("4.19.260"));
        assertArrayEquals(new int[] {0, 0}, Probe.version("unknown"));
    }

    @Test
    void this_kernel_passes_the_real_probe() throws Exception {
        try (Ring ring = Ring.setup(8, 16)) {
            boolean[] ops = ring.supportedOpcodes();
            assertTrue(ops[Probe.IORING_OP_POLL_ADD], "POLL_ADD probed as supported");
            assertDoesNotThrow(() -> Probe.check(System.getProperty("os.version"), ring.features, ops));
        }
    }
}
