package org.relaypack.testing;

import java.util.ArrayDeque;
import java.util.Deque;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test class opens for all its tests (peers, DNS servers, a James), closed after its last test,
 * the last opened first, each even when another fails to close:
 * {@code @RegisterExtension static final ClassResources resources = new ClassResources();} then, in
 * {@code @BeforeAll}, {@code james = resources.add(RelayJames.sample(...).start());}.
 */
public final class ClassResources implements AfterAllCallback {
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    public synchronized <T extends AutoCloseable> T add(T resource) {
        opened.push(resource);
        return resource;
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) throws Exception {
        if (context.getRequiredTestClass().isAnnotationPresent(Nested.class)) {
            return; // a @Nested class inherits the extension: the resources are the enclosing class's
        }
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
