package org.relaypack.it.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code ./relaypack run submission}: the provider stand-in requires STARTTLS and AUTH with the
 * sample's user and password, and presents a certificate of the run's CA, which James verifies with
 * the trust store the run hands it. The summary's own commands, as printed, deliver there.
 */
class SubmissionRunSampleTest {
    @RegisterExtension
    static final RunCommand run = RunCommand.of("submission");

    @Test
    void theSummaryShouldNameEachListenerByRoleAndTheProviderStandIn() {
        assertThat(run.summary()).anySatisfy(line -> assertThat(line).startsWith("SMTP 25").contains("port 25 in the sample, STARTTLS"))
            .anySatisfy(line -> assertThat(line).startsWith("submission 465").contains("implicit TLS"))
            .anySatisfy(line -> assertThat(line).startsWith("submission 587").contains("STARTTLS"))
            .anySatisfy(line -> assertThat(line).startsWith("WebAdmin"))
            .anySatisfy(line -> assertThat(line).startsWith("JMX"))
            .anySatisfy(line -> assertThat(line).startsWith("stand-in provider").contains("STARTTLS required, AUTH as submission@example.org"))
            .noneSatisfy(line -> assertThat(line).contains("lan.example"));
    }

    @Test
    void mailSubmittedAsTheSummarySuggestsShouldReachTheProviderStandInOverVerifiedTls() throws Exception {
        List<String> printed = run.walkTheSummary();

        // The provider's copy of carol's mail: submitted over STARTTLS with AUTH, handed on by relaypack.
        assertThat(printed).anySatisfy(output -> assertThat(output)
            .contains("To: carol@remote.example")
            .containsPattern("with ESMTPSA ID \\S+\\s+for <carol@remote.example>\\s+tls TLS_\\w+ \\(TLSv1\\.[23]\\);"));
        assertThat(run.subjects("provider", "dave@remote.example")).hasSize(1);
        // Only the addressed recipients got mail.
        assertThat(run.subjects("provider", "alice@example.org")).isEmpty();
    }

    @Test
    void submissionWithoutAuthShouldBeRefused() throws Exception {
        String reply = run.execute("swaks --server 127.0.0.1:" + run.port("listener.587")
            + " --tls --from alice@example.org --to erin@remote.example");

        assertThat(reply).startsWith("530 5.7.0 Authentication required");
        assertThat(run.subjects("provider", "erin@remote.example")).isEmpty();
    }
}
