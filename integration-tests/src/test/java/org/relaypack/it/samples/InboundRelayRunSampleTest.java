package org.relaypack.it.samples;

import static org.assertj.core.api.Assertions.assertThat;


import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code ./relaypack run inbound-relay}: per-user routes to the two mailbox stand-ins, as the summary suggests. */
class InboundRelayRunSampleTest {
    @RegisterExtension
    static final RunCommand run = RunCommand.of("inbound-relay");

    @Test
    void mailSentAsTheSummarySuggestsShouldReachEachUsersMailboxServerOnly() throws Exception {
        assertThat(run.summary()).anySatisfy(line -> assertThat(line).startsWith("SMTP 25"))
            .anySatisfy(line -> assertThat(line).startsWith("stand-in mailbox1"))
            .anySatisfy(line -> assertThat(line).startsWith("stand-in mailbox2"));

        run.walkTheSummary();

        assertThat(run.subjects("mailbox2", "alice@example.com")).isEmpty();
        assertThat(run.subjects("mailbox1", "carol@example.com")).isEmpty();
    }
}
