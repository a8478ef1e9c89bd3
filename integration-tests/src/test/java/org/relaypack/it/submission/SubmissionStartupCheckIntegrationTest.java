package org.relaypack.it.submission;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.relaypack.it.harness.RelayJames;

/**
 * A policy handler on a listener whose TLS mode contradicts it stops James, naming the listener and
 * the fix. Needs {@code -Djames.exit.on.startup.error=false} (set for the integration tests in their
 * pom): otherwise James calls System.exit(1), as it does in production.
 */
class SubmissionStartupCheckIntegrationTest {
    @Test
    void requireTlsOnAListenerWithoutTlsShouldStopJames() {
        // The 587 listener (and 25, which has no RequireTls) loses its STARTTLS.
        assertThatThrownBy(() -> RelayJames.sample("submission")
                .substitute("<tls socketTLS=\"false\" startTLS=\"true\">", "<tls socketTLS=\"false\" startTLS=\"false\">")
                .start()
                .close())
            .hasStackTraceContaining("RequireTls is in the handler chain of smtpserver 'submission'")
            .hasStackTraceContaining("add <tls startTLS=\"true\">");
    }

    @Test
    void anUnknownHandlerParameterShouldStopJames() {
        assertThatThrownBy(() -> RelayJames.sample("submission")
                .substitute("<minimumProtocol>TLSv1.2</minimumProtocol>", "<minimumVersion>TLSv1.2</minimumVersion>")
                .start()
                .close())
            .hasStackTraceContaining("RequireTls: unknown parameter minimumVersion='TLSv1.2' (allowed: minimumProtocol)");
    }

    @Test
    void senderBoundToLoginWithoutVirtualHostingShouldStopJames() {
        // Without virtual hosting alice's login has no domain: she could send as alice@anydomain.
        assertThatThrownBy(() -> RelayJames.sample("submission")
                .substitute("<enableVirtualHosting>true</enableVirtualHosting>", "<enableVirtualHosting>false</enableVirtualHosting>")
                .start()
                .close())
            .hasStackTraceContaining("SenderBoundToLogin: virtual hosting is off");
    }
}
