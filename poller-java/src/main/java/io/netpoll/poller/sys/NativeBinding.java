package io.netpoll.poller.sys;

/**
 * One way of calling the C library: {@link JnaBinding} (JNA, any JDK) or the {@code java.lang.foreign}
 * binding of JDK 22 and later ({@code io.netpoll.poller.sys.ffm.FfmBinding}, compiled for release 22
 * and loaded only on such a JDK). {@link NativeLayer} picks one per process.
 */
public interface NativeBinding {
    /** {@code jna} or {@code ffm}, as {@code -Dnetpoll.native} names it. */
    String name();

    PosixCalls posix();

    /** Bound at the first call of this method, so no other OS ever binds them (see {@link LinuxCalls}). */
    LinuxCalls linux();
}
