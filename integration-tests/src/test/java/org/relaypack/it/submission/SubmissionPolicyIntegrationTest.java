package org.relaypack.it.submission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import javax.mail.internet.MimeMessage;
import javax.net.ssl.SSLException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

/**
 * Protocol transcripts against a real James 3.8.1 running conf-samples/submission as shipped
 * (issue 5, "Done when"). Ports 25/465/587 of the sample are bound to free loopback ports; the
 * upstream provider is a local GreenMail.
 */
class SubmissionPolicyIntegrationTest {
    private static final String ALICE = "alice@example.org";
    private static final String ALICE_ALIAS = "ali@example.org";
    private static final String BOB = "bob@example.org";
    private static final String PASSWORD = "alice-secret";
    private static final String REMOTE = "carol@remote.example";

    private static GreenMail upstream;
    private static SubmissionSample james;

    @BeforeAll
    static void startJames() throws Exception {
        upstream = new GreenMail(new ServerSetup(SubmissionSample.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        upstream.start();
        james = SubmissionSample.start(upstream.getSmtp().getPort());
        james.data().fluent()
            .addDomain("example.net")
            .addUser(ALICE, PASSWORD)
            .addUser(BOB, "bob-secret");
        james.data().addUserAliasMapping("ali", "example.org", ALICE);
    }

    @AfterAll
    static void stopJames() {
        if (james != null) {
            james.close();
        }
        if (upstream != null) {
            upstream.stop();
        }
    }

    @BeforeEach
    void resetUpstream() throws Exception {
        upstream.purgeEmailFromAllMailboxes();
    }

    private static SmtpClient startTlsSession(int port) throws Exception {
        SmtpClient client = SmtpClient.plain(port);
        assertThat(client.read().code).isEqualTo(220);
        assertThat(client.send("EHLO client.example").code).isEqualTo(250);
        assertThat(client.startTls(james.clientTls(), "TLSv1.3").code).isEqualTo(220);
        assertThat(client.send("EHLO client.example").code).isEqualTo(250);
        return client;
    }

    private static SmtpClient implicitTlsSession(String protocol) throws Exception {
        SmtpClient client = SmtpClient.implicitTls(james.port(465), james.clientTls(), protocol);
        assertThat(client.read().code).isEqualTo(220);
        assertThat(client.send("EHLO client.example").code).isEqualTo(250);
        return client;
    }

    private static SmtpClient.Reply sendMessage(SmtpClient client, String from, String to, String subject) throws Exception {
        assertThat(client.send("MAIL FROM:<" + from + ">").code).isEqualTo(250);
        assertThat(client.send("RCPT TO:<" + to + ">").code).isEqualTo(250);
        assertThat(client.send("DATA").code).isEqualTo(354);
        return client.send("From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\n\r\nHello.\r\n.");
    }

    @Nested
    class Port587 {
        @Test
        void ehloBeforeStartTlsShouldListStartTlsAndNotAuth() throws Exception {
            try (SmtpClient client = SmtpClient.plain(james.port(587))) {
                assertThat(client.read().code).isEqualTo(220);

                SmtpClient.Reply ehlo = client.send("EHLO client.example");

                assertThat(ehlo.code).isEqualTo(250);
                assertThat(ehlo.hasExtension("STARTTLS")).as(ehlo.toString()).isTrue();
                assertThat(ehlo.hasExtension("AUTH")).as(ehlo.toString()).isFalse();
            }
        }

        @Test
        void ehloAfterStartTlsShouldListAuthAndNotStartTls() throws Exception {
            try (SmtpClient client = SmtpClient.plain(james.port(587))) {
                client.read();
                client.send("EHLO client.example");
                client.startTls(james.clientTls(), "TLSv1.3");

                SmtpClient.Reply ehlo = client.send("EHLO client.example");

                assertThat(ehlo.hasExtension("AUTH")).as(ehlo.toString()).isTrue();
                assertThat(ehlo.hasExtension("STARTTLS")).as(ehlo.toString()).isFalse();
            }
        }

        @Test
        void mailRcptAndDataBeforeStartTlsShouldBeRefused() throws Exception {
            try (SmtpClient client = SmtpClient.plain(james.port(587))) {
                client.read();
                client.send("EHLO client.example");

                assertThat(client.send("MAIL FROM:<" + ALICE + ">").last()).isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
                assertThat(client.send("RCPT TO:<" + BOB + ">").last()).isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
                assertThat(client.send("DATA").last()).isEqualTo("530 5.7.0 Must issue a STARTTLS command first");
            }
        }

        @Test
        void authPlainBeforeStartTlsShouldGet538WithoutCheckingCredentials() throws Exception {
            try (SmtpClient client = SmtpClient.plain(james.port(587))) {
                client.read();
                client.send("EHLO client.example");

                assertThat(client.authPlain(ALICE, PASSWORD).last())
                    .isEqualTo("538 5.7.11 Encryption required for requested authentication mechanism");
                // Same answer for a wrong password: the credentials were not looked at.
                assertThat(client.authPlain(ALICE, "wrong").last())
                    .isEqualTo("538 5.7.11 Encryption required for requested authentication mechanism");
                // And the session is not authenticated: James refuses STARTTLS after a successful AUTH.
                assertThat(client.startTls(james.clientTls(), "TLSv1.3").code).isEqualTo(220);
            }
        }

        @Test
        void submissionAfterStartTlsAndAuthShouldBeAcceptedAndRelayed() throws Exception {
            try (SmtpClient client = startTlsSession(james.port(587))) {
                assertThat(client.authPlain(ALICE, PASSWORD).code).isEqualTo(235);

                assertThat(sendMessage(client, ALICE, REMOTE, "relayed-587").code).isEqualTo(250);
            }

            await().atMost(Duration.ofSeconds(60)).until(() -> upstream.getReceivedMessages().length == 1);
            MimeMessage relayed = upstream.getReceivedMessages()[0];
            assertThat(relayed.getSubject()).isEqualTo("relayed-587");
            assertThat(relayed.getAllRecipients()).extracting(Object::toString).containsExactly(REMOTE);
            assertThat(Arrays.asList(relayed.getHeader("Received")))
                .anyMatch(received -> received.contains("with ESMTPSA"));
        }

        @Test
        void mailWithoutAuthFromAnAuthorizedAddressShouldBeRefused() throws Exception {
            try (SmtpClient client = startTlsSession(james.port(587))) {
                assertThat(client.send("MAIL FROM:<" + ALICE + ">").last()).isEqualTo("530 5.7.0 Authentication required");
                assertThat(client.send("RCPT TO:<" + REMOTE + ">").code).isEqualTo(503);
            }
        }

        @Test
        void commandsSentInTheSamePacketAsStartTlsShouldBeDiscarded() throws Exception {
            try (SmtpClient client = SmtpClient.plain(james.port(587))) {
                client.read();
                client.send("EHLO client.example");

                client.write("STARTTLS\r\nEHLO injected.example\r\n");

                // James 3.8.1 detects the injection (CommandInjectionDetectedException): no TLS, no EHLO.
                SmtpClient.Reply reply = client.read();
                assertThat(reply.code).as(reply.toString()).isEqualTo(451);
                assertThat(new String(client.readToEnd(), StandardCharsets.US_ASCII)).doesNotContain("250");
            }
        }

        @Test
        void startTlsShouldNegotiateTls12AndTls13() throws Exception {
            for (String protocol : new String[] {"TLSv1.2", "TLSv1.3"}) {
                try (SmtpClient client = SmtpClient.plain(james.port(587))) {
                    client.read();
                    client.send("EHLO client.example");
                    client.startTls(james.clientTls(), protocol);

                    assertThat(client.tlsProtocol()).isEqualTo(protocol);
                    assertThat(client.send("EHLO client.example").code).isEqualTo(250);
                }
            }
        }
    }

    @Nested
    class Port465 {
        @Test
        void aPlaintextClientShouldGetNoBanner() throws Exception {
            try (SmtpClient client = SmtpClient.plain(james.port(465))) {
                client.write("EHLO client.example\r\n");

                byte[] received = client.readToEnd();

                assertThat(new String(received, StandardCharsets.US_ASCII)).doesNotContain("220").doesNotContain("250");
            }
        }

        @Test
        void aClientLimitedToTls11ShouldFailTheHandshake() throws Exception {
            Tls11ClientHello.ServerAnswer answer = Tls11ClientHello.send(james.port(465), 2);

            assertThat(answer.contentType).isEqualTo(Tls11ClientHello.ALERT);
            assertThat(answer.alertDescription).isIn(Tls11ClientHello.ALERT_PROTOCOL_VERSION, Tls11ClientHello.ALERT_HANDSHAKE_FAILURE);
        }

        @Test
        void theSameHandMadeHelloForTls12ShouldBeAnswered() throws Exception {
            Tls11ClientHello.ServerAnswer answer = Tls11ClientHello.send(james.port(465), 3);

            assertThat(answer.contentType).isEqualTo(Tls11ClientHello.HANDSHAKE);
        }

        @Test
        void tls12AndTls13ClientsShouldGetTheBanner() throws Exception {
            for (String protocol : new String[] {"TLSv1.2", "TLSv1.3"}) {
                try (SmtpClient client = SmtpClient.implicitTls(james.port(465), james.clientTls(), protocol)) {
                    assertThat(client.read().code).isEqualTo(220);
                    assertThat(client.tlsProtocol()).isEqualTo(protocol);
                }
            }
        }

        @Test
        void aTls11OnlyJsseClientShouldNotConnect() {
            assertThatThrownBy(() -> SmtpClient.implicitTls(james.port(465), james.clientTls(), "TLSv1.1"))
                .isInstanceOf(SSLException.class);
        }

        @Test
        void mailWithoutAuthFromAnAuthorizedAddressShouldBeRefused() throws Exception {
            try (SmtpClient client = implicitTlsSession("TLSv1.3")) {
                assertThat(client.send("MAIL FROM:<" + ALICE + ">").last()).isEqualTo("530 5.7.0 Authentication required");
            }
        }

        @Test
        void aliceSendingAsBobShouldBeRefused() throws Exception {
            try (SmtpClient client = implicitTlsSession("TLSv1.3")) {
                assertThat(client.authPlain(ALICE, PASSWORD).code).isEqualTo(235);

                assertThat(client.send("MAIL FROM:<" + BOB + ">").last())
                    .isEqualTo("550 5.7.1 Sender address <" + BOB + "> is not owned by user " + ALICE);
            }
        }

        @Test
        void aliceSendingAsHerAliasShouldBeAccepted() throws Exception {
            try (SmtpClient client = implicitTlsSession("TLSv1.3")) {
                assertThat(client.authPlain(ALICE, PASSWORD).code).isEqualTo(235);

                assertThat(sendMessage(client, ALICE_ALIAS, REMOTE, "as-alias").code).isEqualTo(250);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> upstream.getReceivedMessages().length == 1);
            assertThat(upstream.getReceivedMessages()[0].getSubject()).isEqualTo("as-alias");
        }

        @Test
        void aMailetAfterTheHooksShouldSeeTheTlsFacts() throws Exception {
            try (SmtpClient client = implicitTlsSession("TLSv1.2")) {
                client.authPlain(ALICE, PASSWORD);
                assertThat(sendMessage(client, ALICE, BOB, "facts-465").code).isEqualTo(250);
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> RecordTlsFacts.SEEN.containsKey("facts-465"));
            Map<String, Object> facts = RecordTlsFacts.SEEN.get("facts-465");
            assertThat(facts).containsEntry("relaypack.tls.used", true)
                .containsEntry("relaypack.tls.protocol", "TLSv1.2")
                .containsEntry("relaypack.tls.listener", "submissions")
                .containsEntry("relaypack.tls.localPort", james.port(465))
                .containsEntry("relaypack.tls.authUser", ALICE);
            assertThat((String) facts.get("relaypack.tls.cipher")).startsWith("TLS_");
        }
    }

    @Nested
    class Port25 {
        @Test
        void ehloShouldOfferStartTlsAndNotAuth() throws Exception {
            try (SmtpClient client = SmtpClient.plain(james.port(25))) {
                client.read();

                SmtpClient.Reply ehlo = client.send("EHLO mx.remote.example");

                assertThat(ehlo.hasExtension("STARTTLS")).as(ehlo.toString()).isTrue();
                assertThat(ehlo.hasExtension("AUTH")).as(ehlo.toString()).isFalse();
            }
        }

        @Test
        void authShouldBeRefusedEvenOverTls() throws Exception {
            try (SmtpClient client = startTlsSession(james.port(25))) {
                assertThat(client.authPlain(ALICE, PASSWORD).last()).isEqualTo("502 5.5.1 Authentication is not available on this service");
                assertThat(client.send("MAIL FROM:<" + ALICE + ">").code).isEqualTo(250);
                assertThat(client.send("RCPT TO:<" + REMOTE + ">").last()).isEqualTo("550 5.7.1 Requested action not taken: relaying denied");
            }
        }

        @Test
        void mailForALocalUserShouldBeAcceptedWithoutTls() throws Exception {
            try (SmtpClient client = SmtpClient.plain(james.port(25))) {
                client.read();
                client.send("EHLO mx.remote.example");

                assertThat(sendMessage(client, "dave@remote.example", BOB, "facts-25").code).isEqualTo(250);
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> RecordTlsFacts.SEEN.containsKey("facts-25"));
            assertThat(RecordTlsFacts.SEEN.get("facts-25"))
                .containsEntry("relaypack.tls.used", false)
                .containsEntry("relaypack.tls.listener", "mx")
                .doesNotContainKeys("relaypack.tls.protocol", "relaypack.tls.authUser");
        }

        @Test
        void relayingToAForeignDomainShouldBeRefusedEvenFromLoopback() throws Exception {
            try (SmtpClient client = SmtpClient.plain(james.port(25))) {
                client.read();
                client.send("EHLO mx.remote.example");

                assertThat(client.send("MAIL FROM:<dave@remote.example>").code).isEqualTo(250);
                assertThat(client.send("RCPT TO:<" + REMOTE + ">").last()).isEqualTo("550 5.7.1 Requested action not taken: relaying denied");
            }
            assertThat(upstream.getReceivedMessages()).isEmpty();
        }

        @Test
        void mailForAnUnknownLocalUserShouldBeRefusedAtRcpt() throws Exception {
            try (SmtpClient client = SmtpClient.plain(james.port(25))) {
                client.read();
                client.send("EHLO mx.remote.example");
                client.send("MAIL FROM:<dave@remote.example>");

                assertThat(client.send("RCPT TO:<nobody@example.org>").code).isEqualTo(550);
            }
        }
    }
}
