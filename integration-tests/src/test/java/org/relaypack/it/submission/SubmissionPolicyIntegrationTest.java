package org.relaypack.it.submission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.relaypack.it.submission.SubmissionSample.ALICE;
import static org.relaypack.it.submission.SubmissionSample.ALICE_ALIAS;
import static org.relaypack.it.submission.SubmissionSample.BOB;
import static org.relaypack.it.submission.SubmissionSample.PASSWORD;
import static org.relaypack.it.submission.SubmissionSample.REMOTE;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.mail.internet.MimeMessage;
import javax.net.ssl.SSLException;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.relaypack.testing.SmtpPeer;
import org.relaypack.testing.SmtpTestClient;

/**
 * Protocol transcripts against a real James 3.8.1 running conf-samples/submission as shipped
 * (issue 5, "Done when"). What the test changes: ports (harness), the upstream provider
 * (a local SMTP peer), and one recording mailet at the sample's "your own mailets" marker.
 */
class SubmissionPolicyIntegrationTest {
    static final String MAILET_MARKER = "<!-- relaypack: your own mailets over the relaypack.tls.* facts";

    private static final String STARTTLS_FIRST = "530 5.7.0 Must issue a STARTTLS command first";
    private static final String AUTH_REQUIRED = "530 5.7.0 Authentication required";
    private static final String RELAYING_DENIED = "550 5.7.1 Requested action not taken: relaying denied";

    @RegisterExtension
    static final SubmissionSample submission = SubmissionSample.changedBy(sample -> sample
        .substitute(MAILET_MARKER, "<mailet match=\"All\" class=\"" + RecordTlsFacts.class.getName() + "\"/>\n" + MAILET_MARKER));

    private static boolean advertises(SmtpTestClient.Reply ehlo, String keyword) {
        return ehlo.lines().stream().skip(1)
            .anyMatch(extension -> extension.equals(keyword) || extension.startsWith(keyword + " "));
    }

    private static SmtpTestClient startTlsSession(int port, String protocol) throws Exception {
        SmtpTestClient client = SmtpTestClient.plain(port);
        assertThat(client.greeting().code()).isEqualTo(220);
        assertThat(client.ehlo("client.example").code()).isEqualTo(250);
        assertThat(client.startTls(protocol).code()).isEqualTo(220);
        assertThat(client.ehlo("client.example").code()).isEqualTo(250);
        return client;
    }

    private static SmtpTestClient implicitTlsSession(String protocol) throws Exception {
        SmtpTestClient client = SmtpTestClient.implicitTls(submission.port(465), protocol);
        assertThat(client.greeting().code()).isEqualTo(220);
        assertThat(client.ehlo("client.example").code()).isEqualTo(250);
        return client;
    }

    private static SmtpTestClient.Reply submit(SmtpTestClient client, String from, String to, String subject) throws IOException {
        return client.send(from, List.of(to), SmtpTestClient.message(from, to, subject, "Hello."));
    }

    @Nested
    class Port587 {
        @Test
        void ehloBeforeStartTlsShouldListStartTlsAndNotAuth() throws Exception {
            try (SmtpTestClient client = SmtpTestClient.plain(submission.port(587))) {
                assertThat(client.greeting().code()).isEqualTo(220);

                SmtpTestClient.Reply ehlo = client.ehlo("client.example");

                assertThat(ehlo.code()).isEqualTo(250);
                assertThat(advertises(ehlo, "STARTTLS")).as(ehlo.toString()).isTrue();
                assertThat(advertises(ehlo, "AUTH")).as(ehlo.toString()).isFalse();
            }
        }

        @Test
        void ehloAfterStartTlsShouldListAuthAndNotStartTls() throws Exception {
            try (SmtpTestClient client = SmtpTestClient.plain(submission.port(587))) {
                client.greeting();
                client.ehlo("client.example");
                client.startTls("TLSv1.3");

                SmtpTestClient.Reply ehlo = client.ehlo("client.example");

                assertThat(advertises(ehlo, "AUTH")).as(ehlo.toString()).isTrue();
                assertThat(advertises(ehlo, "STARTTLS")).as(ehlo.toString()).isFalse();
            }
        }

        @Test
        void mailRcptAndDataBeforeStartTlsShouldBeRefused() throws Exception {
            try (SmtpTestClient client = SmtpTestClient.plain(submission.port(587))) {
                client.greeting();
                client.ehlo("client.example");

                assertThat(client.command("MAIL FROM:<" + ALICE + ">").text()).isEqualTo(STARTTLS_FIRST);
                assertThat(client.command("RCPT TO:<" + BOB + ">").text()).isEqualTo(STARTTLS_FIRST);
                assertThat(client.command("DATA").text()).isEqualTo(STARTTLS_FIRST);
            }
        }

        @Test
        void authPlainBeforeStartTlsShouldGet538WithoutCheckingCredentials() throws Exception {
            try (SmtpTestClient client = SmtpTestClient.plain(submission.port(587))) {
                client.greeting();
                client.ehlo("client.example");

                assertThat(client.authPlain(ALICE, PASSWORD).text())
                    .isEqualTo("538 5.7.11 Encryption required for requested authentication mechanism");
                // The same answer for a wrong password: the credentials were not looked at.
                assertThat(client.authPlain(ALICE, "wrong").text())
                    .isEqualTo("538 5.7.11 Encryption required for requested authentication mechanism");
                // And the session is not authenticated: James refuses STARTTLS after a successful AUTH.
                assertThat(client.startTls("TLSv1.3").code()).isEqualTo(220);
            }
        }

        @Test
        void submissionAfterStartTlsAndAuthShouldBeAcceptedAndRelayed() throws Exception {
            String cipherSuite;
            try (SmtpTestClient client = startTlsSession(submission.port(587), "TLSv1.3")) {
                assertThat(client.authPlain(ALICE, PASSWORD).code()).isEqualTo(235);
                cipherSuite = ((javax.net.ssl.SSLSocket) client.socket()).getSession().getCipherSuite();

                assertThat(submit(client, ALICE, REMOTE, "relayed-587").code()).isEqualTo(250);
            }

            await().atMost(Duration.ofSeconds(60)).until(() -> submission.upstream().transactions().size() == 1);
            SmtpPeer.Transaction relayed = submission.upstream().transactions().get(0);
            assertThat(relayed.sender()).isEqualTo(ALICE);
            assertThat(relayed.recipients()).containsExactly(REMOTE);
            // Handed on by the relaypack smarthost: the provider peer refuses MAIL before STARTTLS and
            // before AUTH as the sample's user (a pooled session may have authenticated in an earlier test).
            MimeMessage message = relayed.message();
            assertThat(message.getSubject()).isEqualTo("relayed-587");
            // RFC 3848 / RFC 8314 section 4.3: the trace says TLS and AUTH were used.
            // RFC 8314 section 4.3: the "tls" clause with the cipher suite, after the "for" clause.
            String received = message.getHeader("Received")[message.getHeader("Received").length - 1].replaceAll("\\s+", " ");
            assertThat(received).containsPattern("^from \\S+ \\(EHLO client\\.example\\) \\(\\[127\\.0\\.0\\.1\\]\\) by mail\\.example\\.org "
                + "\\(JAMES SMTP Server \\) with ESMTPSA ID \\S+ for <" + REMOTE + "> tls " + cipherSuite + " \\(TLSv1\\.3\\); ");
        }

        @Test
        void mailWithoutAuthFromAnAuthorizedAddressShouldBeRefused() throws Exception {
            // 127.0.0.1 is in the listener's authorizedAddresses; RequireAuthentication overrides it.
            try (SmtpTestClient client = startTlsSession(submission.port(587), "TLSv1.3")) {
                assertThat(client.command("MAIL FROM:<" + ALICE + ">").text()).isEqualTo(AUTH_REQUIRED);
                assertThat(client.command("RCPT TO:<" + REMOTE + ">").code()).isEqualTo(503);
            }
            assertThat(submission.upstream().transactions()).isEmpty();
        }

        @Test
        void commandsSentInTheSamePacketAsStartTlsShouldBeDiscarded() throws Exception {
            try (SmtpTestClient client = SmtpTestClient.plain(submission.port(587))) {
                client.greeting();
                client.ehlo("client.example");

                client.sendRaw("STARTTLS\r\nEHLO injected.example\r\n");

                // James 3.8.1 detects the injection (CommandInjectionDetectedException): it answers
                // 451, starts no TLS, runs nothing of the injected line and closes the connection.
                assertThat(client.readReply().code()).isEqualTo(451);
                assertThatThrownBy(client::readReply).isInstanceOf(IOException.class);
            }
        }

        @Test
        void startTlsShouldNegotiateTls12AndTls13() throws Exception {
            for (String protocol : List.of("TLSv1.2", "TLSv1.3")) {
                try (SmtpTestClient client = startTlsSession(submission.port(587), protocol)) {
                    assertThat(client.tlsProtocol()).isEqualTo(protocol);
                }
            }
        }

        @Test
        void aMailetAfterTheHooksShouldSeeTheTlsFactsOfAStartTlsSession() throws Exception {
            try (SmtpTestClient client = startTlsSession(submission.port(587), "TLSv1.3")) {
                client.authPlain(ALICE, PASSWORD);
                assertThat(submit(client, ALICE, BOB, "facts-587").code()).isEqualTo(250);
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> RecordTlsFacts.SEEN.containsKey("facts-587"));
            assertThat(RecordTlsFacts.SEEN.get("facts-587"))
                .containsEntry("relaypack.tls.used", true)
                .containsEntry("relaypack.tls.protocol", "TLSv1.3")
                .containsEntry("relaypack.tls.listener", "submission")
                .containsEntry("relaypack.tls.localPort", submission.port(587))
                .containsEntry("relaypack.tls.authUser", ALICE);
        }
    }

    @Nested
    class Port465 {
        @Test
        void aPlaintextClientShouldGetNoBanner() throws Exception {
            try (SmtpTestClient client = SmtpTestClient.plain(submission.port(465))) {
                client.sendRaw("EHLO client.example\r\n");

                // The TLS layer rejects the cleartext bytes and closes: no 220, no reply at all.
                assertThatThrownBy(client::readReply).isInstanceOf(IOException.class);
            }
        }

        @Test
        void aClientLimitedToTls11ShouldFailTheHandshake() throws Exception {
            Tls11ClientHello.ServerAnswer answer = Tls11ClientHello.send(submission.port(465), 2);

            assertThat(answer.contentType).isEqualTo(Tls11ClientHello.ALERT);
            assertThat(answer.alertDescription).isEqualTo(Tls11ClientHello.ALERT_PROTOCOL_VERSION);
        }

        @Test
        void theSameHandMadeHelloForTls12ShouldBeAnswered() throws Exception {
            Tls11ClientHello.ServerAnswer answer = Tls11ClientHello.send(submission.port(465), 3);

            assertThat(answer.contentType).isEqualTo(Tls11ClientHello.HANDSHAKE);
        }

        @Test
        void aTls11OnlyJsseClientShouldNotConnect() {
            assertThatThrownBy(() -> SmtpTestClient.implicitTls(submission.port(465), "TLSv1.1"))
                .isInstanceOf(SSLException.class);
        }

        @Test
        void tls12AndTls13ClientsShouldGetTheBanner() throws Exception {
            for (String protocol : List.of("TLSv1.2", "TLSv1.3")) {
                try (SmtpTestClient client = SmtpTestClient.implicitTls(submission.port(465), protocol)) {
                    assertThat(client.greeting().code()).isEqualTo(220);
                    assertThat(client.tlsProtocol()).isEqualTo(protocol);
                }
            }
        }

        @Test
        void aPlainResponseThatIsNotBase64ShouldEndTheAuthExchange() throws Exception {
            try (SmtpTestClient client = implicitTlsSession("TLSv1.3")) {
                assertThat(client.command("AUTH PLAIN").code()).isEqualTo(334);
                assertThat(client.command("not base64!").text()).isEqualTo("501 5.5.2 Invalid base64 in the AUTH PLAIN response");

                // RFC 4954 section 4: the exchange is over; the next line is a command again.
                assertThat(client.command("NOOP").code()).isEqualTo(250);
                assertThat(client.command("MAIL FROM:<" + ALICE + ">").text()).isEqualTo(AUTH_REQUIRED);
                assertThat(client.authPlain(ALICE, PASSWORD).code()).isEqualTo(235);
            }
        }

        @Test
        void aCancelledPlainExchangeShouldEndWith501AndTheNextCredentialsShouldWork() throws Exception {
            try (SmtpTestClient client = implicitTlsSession("TLSv1.3")) {
                assertThat(client.command("AUTH PLAIN").code()).isEqualTo(334);
                assertThat(client.command("*").text()).isEqualTo("501 5.7.0 Authentication aborted");

                assertThat(client.command("AUTH PLAIN").code()).isEqualTo(334);
                String token = java.util.Base64.getEncoder().encodeToString(("\0" + ALICE + "\0" + PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                assertThat(client.command(token).code()).isEqualTo(235);
                assertThat(client.command("MAIL FROM:<" + ALICE + ">").code()).isEqualTo(250);
            }
        }

        @Test
        void wrongCredentialsAfter334ShouldGet535AndEndTheExchange() throws Exception {
            try (SmtpTestClient client = implicitTlsSession("TLSv1.3")) {
                assertThat(client.command("AUTH PLAIN").code()).isEqualTo(334);
                String token = java.util.Base64.getEncoder().encodeToString(("\0" + ALICE + "\0wrong").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                assertThat(client.command(token).code()).isEqualTo(535);

                assertThat(client.command("NOOP").code()).isEqualTo(250);
            }
        }

        @Test
        void aFromHeaderOfAnotherUserShouldBeRefusedAtTheEndOfData() throws Exception {
            // The sample checks the From: header (checkFromHeader=true), not only the envelope sender.
            try (SmtpTestClient client = implicitTlsSession("TLSv1.3")) {
                assertThat(client.authPlain(ALICE, PASSWORD).code()).isEqualTo(235);

                assertThat(client.send(ALICE, List.of(REMOTE), SmtpTestClient.message(BOB, REMOTE, "as bob", "Hello.")).text())
                    .isEqualTo("550 5.7.1 From header address <" + BOB + "> is not owned by user " + ALICE);
            }
            assertThat(submission.upstream().transactions()).isEmpty();
        }

        @Test
        void mailWithoutAuthFromAnAuthorizedAddressShouldBeRefused() throws Exception {
            try (SmtpTestClient client = implicitTlsSession("TLSv1.3")) {
                assertThat(client.command("MAIL FROM:<" + ALICE + ">").text()).isEqualTo(AUTH_REQUIRED);
            }
        }

        @Test
        void aliceSendingAsBobShouldBeRefused() throws Exception {
            try (SmtpTestClient client = implicitTlsSession("TLSv1.3")) {
                assertThat(client.authPlain(ALICE, PASSWORD).code()).isEqualTo(235);

                assertThat(client.command("MAIL FROM:<" + BOB + ">").text())
                    .isEqualTo("550 5.7.1 Sender address <" + BOB + "> is not owned by user " + ALICE);
            }
            assertThat(submission.upstream().transactions()).isEmpty();
        }

        @Test
        void aliceSendingAsHerAliasShouldBeAcceptedAndRelayed() throws Exception {
            try (SmtpTestClient client = implicitTlsSession("TLSv1.3")) {
                assertThat(client.authPlain(ALICE, PASSWORD).code()).isEqualTo(235);

                assertThat(submit(client, ALICE_ALIAS, REMOTE, "as-alias").code()).isEqualTo(250);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> submission.upstream().transactions().size() == 1);
            assertThat(submission.upstream().transactions().get(0).sender()).isEqualTo(ALICE_ALIAS);
        }

        @Test
        void aMailetAfterTheHooksShouldSeeTheTlsFacts() throws Exception {
            try (SmtpTestClient client = implicitTlsSession("TLSv1.2")) {
                client.authPlain(ALICE, PASSWORD);
                assertThat(submit(client, ALICE, BOB, "facts-465").code()).isEqualTo(250);
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> RecordTlsFacts.SEEN.containsKey("facts-465"));
            Map<String, Object> facts = RecordTlsFacts.SEEN.get("facts-465");
            assertThat(facts).containsEntry("relaypack.tls.used", true)
                .containsEntry("relaypack.tls.protocol", "TLSv1.2")
                .containsEntry("relaypack.tls.listener", "submissions")
                .containsEntry("relaypack.tls.localPort", submission.port(465))
                .containsEntry("relaypack.tls.authUser", ALICE);
            assertThat((String) facts.get("relaypack.tls.cipher")).startsWith("TLS_");
        }
    }

    @Nested
    class Port25 {
        @Test
        void ehloShouldOfferStartTlsAndNotAuth() throws Exception {
            try (SmtpTestClient client = SmtpTestClient.plain(submission.port(25))) {
                client.greeting();

                SmtpTestClient.Reply ehlo = client.ehlo("mx.remote.example");

                assertThat(advertises(ehlo, "STARTTLS")).as(ehlo.toString()).isTrue();
                assertThat(advertises(ehlo, "AUTH")).as(ehlo.toString()).isFalse();
            }
        }

        @Test
        void authShouldBeRefusedEvenOverTls() throws Exception {
            try (SmtpTestClient client = startTlsSession(submission.port(25), "TLSv1.3")) {
                assertThat(client.authPlain(ALICE, PASSWORD).text()).isEqualTo("502 5.5.1 Authentication is not available on this service");
                // still anonymous: no relaying
                assertThat(client.command("MAIL FROM:<" + ALICE + ">").code()).isEqualTo(250);
                assertThat(client.command("RCPT TO:<" + REMOTE + ">").text()).isEqualTo(RELAYING_DENIED);
            }
        }

        @Test
        void mailForALocalUserShouldBeAcceptedWithoutTls() throws Exception {
            try (SmtpTestClient client = SmtpTestClient.plain(submission.port(25))) {
                client.greeting();
                client.ehlo("mx.remote.example");

                assertThat(submit(client, "dave@remote.example", BOB, "facts-25").code()).isEqualTo(250);
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> RecordTlsFacts.SEEN.containsKey("facts-25"));
            assertThat(RecordTlsFacts.SEEN.get("facts-25"))
                .containsEntry("relaypack.tls.used", false)
                .containsEntry("relaypack.tls.listener", "mx")
                .doesNotContainKeys("relaypack.tls.protocol", "relaypack.tls.cipher", "relaypack.tls.authUser");
            assertThat(submission.upstream().transactions()).isEmpty();
        }

        @Test
        void relayingToAForeignDomainShouldBeRefusedEvenFromLoopback() throws Exception {
            try (SmtpTestClient client = SmtpTestClient.plain(submission.port(25))) {
                client.greeting();
                client.ehlo("mx.remote.example");

                assertThat(client.command("MAIL FROM:<dave@remote.example>").code()).isEqualTo(250);
                assertThat(client.command("RCPT TO:<" + REMOTE + ">").text()).isEqualTo(RELAYING_DENIED);
            }
            assertThat(submission.upstream().transactions()).isEmpty();
        }

        @Test
        void mailForAnUnknownLocalUserShouldBeRefusedAtRcpt() throws Exception {
            try (SmtpTestClient client = SmtpTestClient.plain(submission.port(25))) {
                client.greeting();
                client.ehlo("mx.remote.example");
                client.command("MAIL FROM:<dave@remote.example>");

                assertThat(client.command("RCPT TO:<nobody@example.org>").code()).isEqualTo(550);
            }
        }
    }
}
