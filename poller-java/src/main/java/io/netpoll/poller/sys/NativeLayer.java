package io.netpoll.poller.sys;

import java.lang.reflect.InvocationTargetException;

/**
 * Which binding makes this process's C calls, chosen once at first use.
 *
 * <ul>
 *   <li>{@code -Dnetpoll.native=ffm}: the {@code java.lang.foreign} binding. Needs JDK 22 or later and
 *       a jar built with its release-22 classes; otherwise {@link UnsupportedOperationException}
 *       saying which is missing.</li>
 *   <li>{@code -Dnetpoll.native=jna}: JNA, on any JDK.</li>
 *   <li>Unset: {@code ffm} on JDK 22 and later when native access is enabled for the poller's module
 *       ({@code --enable-native-access=io.netpoll.poller}, or {@code ALL-UNNAMED} on the class
 *       path, or the {@code Enable-Native-Access} manifest attribute of an executable jar); JNA
 *       otherwise, with the reason logged at INFO on JDK 22+ so nobody runs the slower layer by
 *       accident.</li>
 *   <li>Any other value: {@link IllegalArgumentException} naming the values there are.</li>
 * </ul>
 * The choice, or its failure, is made once; every later call returns the same binding or throws
 * the same exception.
 */
public final class NativeLayer {
    /** The system property that picks the binding. */
    public static final String PROPERTY = "netpoll.native";
    public static final String JNA = "jna";
    public static final String FFM = "ffm";
    /** The first JDK whose {@code java.lang.foreign} is final. */
    public static final int FFM_JDK = 22;
    static final String FFM_BINDING = "io.netpoll.poller.sys.ffm.FfmBinding";

    private NativeLayer() {}

    /** The process's binding. */
    public static NativeBinding binding() {
        if (Chosen.BINDING == null) {
            throw Chosen.FAILURE;
        }
        return Chosen.BINDING;
    }

    /** The process's POSIX calls. */
    public static PosixCalls posix() {
        return binding().posix();
    }

    /** The process's Linux-only calls; only Linux code calls this. */
    public static LinuxCalls linux() {
        return binding().linux();
    }

    /** Holds the choice, made on the first {@link #binding()}. */
    private static final class Chosen {
        static final NativeBinding BINDING;
        static final RuntimeException FAILURE;

        static {
            NativeBinding b = null;
            RuntimeException failure = null;
            try {
                b = choose(System.getProperty(PROPERTY), Runtime.version().feature(), new FfmLoader());
            } catch (RuntimeException e) {
                failure = e;
            }
            BINDING = b;
            FAILURE = failure;
        }
    }

    /** Finds the FFM binding, and whether the JVM lets it call native code; a test gives its own. */
    static class FfmLoader {
        private final String className;

        FfmLoader() {
            this(FFM_BINDING);
        }

        /** A loader of another class than the FFM binding (a test's, that fails to start). */
        FfmLoader(String className) {
            this.className = className;
        }

        /** The FFM binding; null when this jar was built without it. */
        NativeBinding load() {
            Class<?> c;
            try {
                c = Class.forName(className);
            } catch (ClassNotFoundException e) {
                return null;
            }
            try {
                return (NativeBinding) c.getDeclaredConstructor().newInstance();
            } catch (InvocationTargetException e) {
                throw new IllegalStateException("netpoll: the FFM layer failed to start: " + e.getCause(), e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("netpoll: the FFM layer failed to start: " + e, e);
            }
        }

        /** {@code Module.isNativeAccessEnabled()} (JDK 22+) of this module, called reflectively: this class is release 17. */
        boolean nativeAccessEnabled() {
            try {
                return (Boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(NativeLayer.class.getModule());
            } catch (ReflectiveOperationException e) {
                return false;
            }
        }
    }

    /**
     * The binding for property value {@code asked} (null: unset) on JDK {@code feature}; see the
     * class comment for the rules.
     */
    static NativeBinding choose(String asked, int feature, FfmLoader ffm) {
        System.Logger log = System.getLogger("io.netpoll.poller");
        if (asked == null || asked.isEmpty()) {
            if (feature < FFM_JDK) {
                return new JnaBinding();
            }
            if (!ffm.nativeAccessEnabled()) {
                log.log(System.Logger.Level.INFO, "netpoll: C calls through JNA: native access is not enabled for "
                        + moduleName() + " (--enable-native-access=" + moduleName() + " selects the faster FFM layer)");
                return new JnaBinding();
            }
            NativeBinding b = ffm.load();
            if (b == null) {
                log.log(System.Logger.Level.INFO, "netpoll: C calls through JNA: this netpoll-poller jar was built without its FFM layer");
                return new JnaBinding();
            }
            return b;
        }
        switch (asked) {
            case JNA:
                return new JnaBinding();
            case FFM:
                if (feature < FFM_JDK) {
                    throw new UnsupportedOperationException("netpoll: -D" + PROPERTY + "=ffm needs JDK " + FFM_JDK
                            + " or later; this is JDK " + feature + " (use jna, or leave it unset)");
                }
                NativeBinding b = ffm.load();
                if (b == null) {
                    throw new UnsupportedOperationException("netpoll: -D" + PROPERTY
                            + "=ffm: this netpoll-poller jar was built without its FFM layer (it needs a JDK "
                            + FFM_JDK + "+ compiler at build time)");
                }
                return b;
            default:
                throw new IllegalArgumentException("netpoll: unknown native layer '" + asked + "' (-D" + PROPERTY
                        + "); supported: jna, ffm (JDK " + FFM_JDK + "+)");
        }
    }

    private static String moduleName() {
        Module m = NativeLayer.class.getModule();
        return m.isNamed() ? m.getName() : "ALL-UNNAMED";
    }
}
