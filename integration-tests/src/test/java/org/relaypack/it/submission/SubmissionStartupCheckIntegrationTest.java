package org.relaypack.it.submission;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import com.google.common.collect.ImmutableMap;

/** A policy handler on a listener whose TLS mode contradicts it stops James, naming the listener and the fix. */
class SubmissionStartupCheckIntegrationTest {
    @Test
    void requireTlsOnAListenerWithoutTlsShouldStopJames() {
        // The 587 listener (and 25, which has no RequireTls) loses its STARTTLS.
        ImmutableMap<String, String> noStartTls = ImmutableMap.of(
            "<tls socketTLS=\"false\" startTLS=\"true\">", "<tls socketTLS=\"false\" startTLS=\"false\">");

        assertThatThrownBy(() -> SubmissionSample.start(SubmissionSample.freePort(), noStartTls).close())
            .hasStackTraceContaining("RequireTls is in the handler chain of smtpserver 'submission'")
            .hasStackTraceContaining("add <tls startTLS=\"true\">");
    }

    @Test
    void anUnknownHandlerParameterShouldStopJames() {
        ImmutableMap<String, String> typo = ImmutableMap.of(
            "<minimumProtocol>TLSv1.2</minimumProtocol>", "<minimumVersion>TLSv1.2</minimumVersion>");

        assertThatThrownBy(() -> SubmissionSample.start(SubmissionSample.freePort(), typo).close())
            .hasStackTraceContaining("RequireTls: unknown parameter 'minimumVersion'");
    }
}
