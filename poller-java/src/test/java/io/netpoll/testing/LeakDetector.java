package io.netpoll.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 adapter of {@link LeakCheck}: fails a test class that leaves NetFDs or PollDescs behind
 * when it ends. Registered for every class through extension
 * autodetection (META-INF/services in poller-java's test-jar, switched on by the root pom's
 * surefire configuration); a class opts out with {@link AllowsOpenDescriptors}.
 */
public final class LeakDetector implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LeakDetector.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!LeakCheck.exempt(context.getRequiredTestClass())) {
            context.getStore(NS).put(context.getUniqueId(), LeakCheck.before());
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        LeakCheck before = context.getStore(NS).remove(context.getUniqueId(), LeakCheck.class);
        if (before == null) {
            return;
        }
        String leaks = before.leaks(context.getRequiredTestClass().getName());
        if (leaks != null) {
            throw new AssertionError(leaks);
        }
    }
}
