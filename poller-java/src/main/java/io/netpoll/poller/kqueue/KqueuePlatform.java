package io.netpoll.poller.kqueue;

import java.util.Locale;

/**
 * The kqueue constants and {@code struct kevent} layout of one platform: a table, never literals
 * in the backend, because the platforms disagree (EVFILT_USER is -10 on macOS but -11 on FreeBSD
 * and in libkqueue, which follows FreeBSD's numbering and macOS's 32-byte layout).
 *
 * <p>Values from the platforms' {@code sys/event.h}: EVFILT_READ -1, EVFILT_WRITE -2, EV_ADD 0x1,
 * EV_DELETE 0x2, EV_ENABLE 0x4, EV_DISABLE 0x8, EV_CLEAR 0x20, EV_ERROR 0x4000, EV_EOF 0x8000,
 * NOTE_TRIGGER 0x01000000 everywhere.
 * The errno values the backend compares (EINTR 4, ENOENT 2, EBADF 9) are the same on Linux, macOS
 * and the BSDs.
 */
public final class KqueuePlatform {
    public static final KqueuePlatform DARWIN = new KqueuePlatform("darwin", KeventLayout.COMPACT, -10);
    public static final KqueuePlatform FREEBSD = new KqueuePlatform("freebsd", KeventLayout.EXTENDED, -11);
    /** FreeBSD before 12 (32-byte events). */
    public static final KqueuePlatform FREEBSD_LEGACY = new KqueuePlatform("freebsd<12", KeventLayout.COMPACT, -11);
    /** libkqueue on Linux (loaded with {@code -Dnetpoll.kqueue.library}). */
    public static final KqueuePlatform LIBKQUEUE = new KqueuePlatform("libkqueue", KeventLayout.COMPACT, -11);

    public final String name;
    public final KeventLayout layout;

    public final int evfiltRead = -1;
    public final int evfiltWrite = -2;
    public final int evfiltUser;

    public final int evAdd = 0x1;
    public final int evDelete = 0x2;
    public final int evEnable = 0x4;
    public final int evDisable = 0x8;
    public final int evClear = 0x20;
    public final int evError = 0x4000;
    public final int evEof = 0x8000;
    public final int noteTrigger = 0x01000000;

    public final int eintr = 4;
    public final int enoent = 2;
    public final int ebadf = 9;

    private KqueuePlatform(String name, KeventLayout layout, int evfiltUser) {
        this.name = name;
        this.layout = layout;
        this.evfiltUser = evfiltUser;
    }

    /**
     * The table for the running OS ({@code os.name}, {@code os.version}), or {@link #LIBKQUEUE} when a
     * kqueue library override is in use on Linux.
     *
     * @throws IllegalStateException on an OS without kqueue and without an override
     */
    public static KqueuePlatform detect(String osName, String osVersion, boolean libraryOverride) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.contains("mac") || os.contains("darwin")) {
            return DARWIN;
        }
        if (os.contains("freebsd")) {
            return majorVersion(osVersion) >= 12 ? FREEBSD : FREEBSD_LEGACY;
        }
        if (libraryOverride && os.contains("linux")) {
            return LIBKQUEUE;
        }
        throw new IllegalStateException("kqueue: no constant table for OS '" + osName + "' (supported: macOS, FreeBSD; "
                + "Linux with -D" + KqueueNative.LIBRARY_PROPERTY + "=libkqueue)");
    }

    static int majorVersion(String version) {
        int end = 0;
        while (end < version.length() && Character.isDigit(version.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Integer.parseInt(version.substring(0, end));
    }

    @Override
    public String toString() {
        return name + "/" + layout;
    }
}
