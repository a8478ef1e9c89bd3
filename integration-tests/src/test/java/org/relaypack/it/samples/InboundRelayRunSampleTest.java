package org.relaypack.it.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./relaypack run inbound-relay}: per-user routes to the two mailbox stand-ins, as the summary suggests. */
class InboundRelayRunSampleTest {
    @TempDir
    static Path workdir;
    private static RunCommand run;

    @BeforeAll
    static void start() throws Exception {
        run = RunCommand.start("inbound-relay", workdir);
    }

    @AfterAll
    static void stop() throws Exception {
        if (run != null) {
            run.close();
        }
    }

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
