package org.relaypack.testing;

import java.util.ArrayDeque;
import java.util.Deque;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What tests open (peers, DNS servers, a James, an engine, the mailet under test), closed the last opened
 * first, each even when another fails to close: after the class's last test for
 * {@code @RegisterExtension static final TestResources resources = TestResources.perClass();} (then, in
 * {@code @BeforeAll}, {@code james = resources.add(RelayJames.sample(...).start());}), after each test for
 * {@code @RegisterExtension final TestResources resources = TestResources.perTest();}.
 */
public final class TestResources implements AfterEachCallback, AfterAllCallback {
    private final boolean perClass;
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    public static TestResources perClass() {
        return new TestResources(true);
    }

    public static TestResources perTest() {
        return new TestResources(false);
    }

    private TestResources(boolean perClass) {
        this.perClass = perClass;
    }

    public synchronized <T extends AutoCloseable> T add(T resource) {
        opened.push(resource);
        return resource;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (!perClass) {
            closeAll();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        // A @Nested class inherits the extension: the resources are the enclosing class's.
        if (perClass && !context.getRequiredTestClass().isAnnotationPresent(Nested.class)) {
            closeAll();
        }
    }

    private synchronized void closeAll() throws Exception {
        Exception failure = null;
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
