package org.relaypack.it.submission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.relaypack.it.submission.SubmissionSample.ALICE;
import static org.relaypack.it.submission.SubmissionSample.PASSWORD;
import static org.relaypack.it.submission.SubmissionSample.REMOTE;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.relaypack.testing.SmtpTestClient;

/**
 * conf-samples/submission with its documented options changed: RequireAuthentication's allowedNetworks set to 127.0.0.1 (a webmail on the host), and
 * RequireTls's minimumProtocol raised to TLSv1.3.
 */
class SubmissionOptionsIntegrationTest {
    @RegisterExtension
    static final SubmissionSample submission = SubmissionSample.changedBy(sample -> sample
        .substitute("<minimumProtocol>TLSv1.2</minimumProtocol>", "<minimumProtocol>TLSv1.3</minimumProtocol>")
        .substitute("<handler class=\"org.relaypack.smtphooks.RequireAuthentication\"/>",
            "<handler class=\"org.relaypack.smtphooks.RequireAuthentication\"><allowedNetworks>127.0.0.1/32</allowedNetworks></handler>"));

    private static SmtpTestClient.Reply submitWithFromHeader(String fromHeader) throws Exception {
        try (SmtpTestClient client = SmtpTestClient.implicitTls(submission.port(465), "TLSv1.3")) {
            client.greeting();
            client.ehlo("client.example");
            assertThat(client.authPlain(ALICE, PASSWORD).code()).isEqualTo(235);
            return client.send(ALICE, List.of(REMOTE), SmtpTestClient.message(fromHeader, REMOTE, "from " + fromHeader, "Hello."));
        }
    }

    @Test
    void aSessionBelowTheMinimumProtocolShouldBeRefusedAuthAndMail() throws Exception {
        // The handshake allows TLSv1.2 (supportedProtocols); RequireTls holds the listener's floor.
        try (SmtpTestClient client = SmtpTestClient.implicitTls(submission.port(465), "TLSv1.2")) {
            assertThat(client.greeting().code()).isEqualTo(220);
            client.ehlo("client.example");

            assertThat(client.authPlain(ALICE, PASSWORD).text())
                .isEqualTo("530 5.7.0 TLS protocol TLSv1.2 is below the minimum TLSv1.3 of this service");
            assertThat(client.command("MAIL FROM:<" + ALICE + ">").text())
                .isEqualTo("530 5.7.0 TLS protocol TLSv1.2 is below the minimum TLSv1.3 of this service");
        }
        assertThat(submission.upstream().transactions()).isEmpty();
    }

    @Test
    void anAllowedNetworkShouldSubmitWithoutAuthAndBeRelayed() throws Exception {
        try (SmtpTestClient client = SmtpTestClient.plain(submission.port(587))) {
            client.greeting();
            client.ehlo("webmail.example");
            client.startTls("TLSv1.3");
            client.ehlo("webmail.example");

            assertThat(client.send("newsletter@example.org", List.of(REMOTE),
                SmtpTestClient.message("newsletter@example.org", REMOTE, "from webmail", "Hello.")).code()).isEqualTo(250);
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> submission.upstream().transactions().size() == 1);
        assertThat(submission.upstream().transactions().get(0).recipients()).containsExactly(REMOTE);
    }

    @Test
    void anotherLoopbackAddressShouldStillNeedAuth() throws Exception {
        // 127.0.0.2 is in authorizedAddresses (127.0.0.0/8) but not in allowedNetworks.
        try (SmtpTestClient client = SmtpTestClient.plainFrom(InetAddress.getByName("127.0.0.2"), submission.port(587))) {
            client.greeting();
            client.ehlo("client.example");
            client.startTls("TLSv1.3");
            client.ehlo("client.example");

            assertThat(client.command("MAIL FROM:<" + ALICE + ">").text()).isEqualTo("530 5.7.0 Authentication required");
        }
        assertThat(submission.upstream().transactions()).isEmpty();
    }

    @Test
    void aFromHeaderWithTheUsersAliasShouldBeRelayed() throws Exception {
        assertThat(submitWithFromHeader("ali@example.org").code()).isEqualTo(250);

        await().atMost(Duration.ofSeconds(60)).until(() -> submission.upstream().transactions().size() == 1);
        assertThat(submission.upstream().transactions().get(0).message().getSubject()).isEqualTo("from ali@example.org");
    }
}
