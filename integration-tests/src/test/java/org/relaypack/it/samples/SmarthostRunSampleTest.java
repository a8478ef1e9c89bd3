package org.relaypack.it.samples;

import static org.assertj.core.api.Assertions.assertThat;


import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code ./relaypack run smarthost}: the run's DNS gives every domain the MX mx.DOMAIN on loopback;
 * the internet stand-in offers STARTTLS, the partner's MX requires it and presents a certificate for
 * mx.partner.example signed by the run's CA, the trust store the sample names (conf/partner-ca.p12,
 * with the password the sample ships in partner-ca.secret). The sample ships a binary-free conf/,
 * the run adds the binary trust store.
 */
class SmarthostRunSampleTest {
    @RegisterExtension
    static final RunCommand run = RunCommand.of("smarthost");

    @Test
    void theSummaryShouldNameEachListenerByRoleAndBothStandIns() {
        assertThat(run.summary()).anySatisfy(line -> assertThat(line).startsWith("SMTP 25"))
            .anySatisfy(line -> assertThat(line).startsWith("submission 587").contains("STARTTLS"))
            .anySatisfy(line -> assertThat(line).startsWith("stand-in internet").contains("STARTTLS offered"))
            .anySatisfy(line -> assertThat(line).startsWith("stand-in partner").contains("STARTTLS required"));
    }

    @Test
    void mailSentAsTheSummarySuggestsShouldReachTheInternetAndThePartnerStandIns() throws Exception {
        run.walkTheSummary();

        // Each went to its own next hop only.
        assertThat(run.subjects("partner", "bob@remote.example")).isEmpty();
        assertThat(run.subjects("internet", "carol@partner.example")).isEmpty();
        assertThat(run.output()).anySatisfy(line -> assertThat(line)
            .contains("to=<carol@partner.example>, hop=partner, relay=mx.partner.example[", "status=sent"));
    }
}
