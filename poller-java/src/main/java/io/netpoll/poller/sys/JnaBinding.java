package io.netpoll.poller.sys;

/** The JNA {@link NativeBinding}: {@link JnaPosixCalls}, and {@link JnaLinuxCalls} made on first use. */
final class JnaBinding implements NativeBinding {
    private static final class Linux {
        static final LinuxCalls CALLS = new JnaLinuxCalls();
    }

    private final PosixCalls posix = new JnaPosixCalls();

    @Override
    public String name() {
        return NativeLayer.JNA;
    }

    @Override
    public PosixCalls posix() {
        return posix;
    }

    @Override
    public LinuxCalls linux() {
        return Linux.CALLS;
    }
}
