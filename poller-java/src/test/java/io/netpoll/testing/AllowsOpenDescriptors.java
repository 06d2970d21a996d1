package io.netpoll.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Exempts one test class (JUnit) or spec (Kotest) from the leak check ({@link LeakCheck}): for a
 * class that legitimately leaves descriptors open after it ends, such as a server shared by several
 * classes for the whole run. Say why in {@link #value}; every other class stays checked.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Inherited
public @interface AllowsOpenDescriptors {
    /** Why this class may leave descriptors open. */
    String value();
}
