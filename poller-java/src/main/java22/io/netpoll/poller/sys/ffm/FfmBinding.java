package io.netpoll.poller.sys.ffm;

import io.netpoll.poller.sys.LinuxCalls;
import io.netpoll.poller.sys.NativeBinding;
import io.netpoll.poller.sys.NativeLayer;
import io.netpoll.poller.sys.PosixCalls;

/**
 * The {@code java.lang.foreign} {@link NativeBinding} (JDK 22 and later). This package is compiled
 * for release 22 into the same jar as the release-17 classes and is loaded only by
 * {@link NativeLayer}, only on a JDK that has the API; so one jar serves JDK 17 and JDK 25 and, on
 * the latter, both layers stay selectable.
 */
public final class FfmBinding implements NativeBinding {
    private static final class Linux {
        static final LinuxCalls CALLS = new FfmLinuxCalls();
    }

    private final PosixCalls posix = new FfmPosixCalls();

    @Override
    public String name() {
        return NativeLayer.FFM;
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
