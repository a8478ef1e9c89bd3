package org.relaypack.it.harness;

import java.util.concurrent.CopyOnWriteArrayList;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * Logback's ListAppender for a James that runs in the test's JVM: James's threads append while the
 * test reads (stream, AssertJ), so the list is a copy-on-write one instead of logback's ArrayList,
 * which threw ConcurrentModificationException in a reading test.
 */
public final class ConcurrentListAppender extends ListAppender<ILoggingEvent> {
    public ConcurrentListAppender() {
        list = new CopyOnWriteArrayList<>();
    }
}
