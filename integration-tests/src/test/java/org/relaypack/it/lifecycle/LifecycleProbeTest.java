package org.relaypack.it.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.relaypack.it.harness.RelayJames;

/**
 * Settles what James 3.8.1 offers for the pack's shared parts (docs/lifecycle.md): a singleton bound
 * by a guice.extension.module is one instance for a startable and an SMTP hook, a
 * guice.extension.startable starts it, and its {@code @PreDestroy} method runs when James stops.
 */
class LifecycleProbeTest {
    @Test
    void extensionModuleSingletonShouldBeSharedStartedAndClosedWithJames() throws Exception {
        ProbePart.EVENTS.clear();
        ProbePart.SEEN.clear();
        RelayJames james = RelayJames.sample("demo").overlay("lifecycle-probe")
            .substitute("<handler class=\"org.apache.james.smtpserver.CoreCmdHandlerLoader\"/>",
                "<handler class=\"org.relaypack.it.lifecycle.ProbeRcptHook\"/>"
                    + "<handler class=\"org.apache.james.smtpserver.CoreCmdHandlerLoader\"/>")
            .start();
        assertThat(ProbePart.SEEN).hasSizeGreaterThanOrEqualTo(2);
        assertThat(ProbePart.SEEN).allMatch(part -> part == ProbePart.SEEN.get(0));
        assertThat(ProbePart.EVENTS).containsExactly("created", "started");

        james.close();

        assertThat(ProbePart.EVENTS).containsExactly("created", "started", "closed");
    }
}
