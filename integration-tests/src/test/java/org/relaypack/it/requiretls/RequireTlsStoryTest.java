package org.relaypack.it.requiretls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.relaypack.it.harness.RelayJames;
import org.relaypack.testing.SmtpPeer;
import org.relaypack.testing.SmtpTestClient;
import org.relaypack.runner.Certificates;

import com.google.common.collect.ImmutableList;

/**
 * REQUIRETLS (RFC 8689) through a real James 3.8.1: a LAN host asks for it over STARTTLS on port 25
 * (RequireTlsExtension), the mail crosses James's spool with the relaypack.tls.requiretls attribute,
 * and SmarthostDelivery hands it only to the partner's authenticated TLS peer that advertises
 * REQUIRETLS, with REQUIRETLS on MAIL FROM; a mail routed to an opportunistic hop is returned to its
 * sender with a DSN (5.7.10, written by James's DSNBounce) and never sent there. The DSN holds the
 * header section only (RFC 8689 section 5); it goes under REQUIRETLS where the sender's return path
 * can carry it, and without it where it cannot, rather than being dropped.
 */
class RequireTlsStoryTest {
    private static final String PASSWORD = "changeit";
    private static RequireTlsPeer partner;
    private static SmtpPeer legacy;
    private static SmtpPeer upstream;
    private static RelayJames james;

    @BeforeAll
    static void start() throws Exception {
        Path certificates = Files.createTempDirectory("relaypack-requiretls-");
        Path partnerKeys = Certificates.selfSigned(certificates.resolve("partner.p12"), PASSWORD, "localhost",
            ImmutableList.of("dns:localhost", "ip:127.0.0.1"));
        Path trustStore = Certificates.trustStoreFor(partnerKeys, PASSWORD, certificates.resolve("partner-trust.p12"), PASSWORD);
        partner = new RequireTlsPeer(partnerKeys, PASSWORD);
        legacy = SmtpPeer.builder().start();
        upstream = SmtpPeer.builder().start();
        james = RelayJames.sample("demo").overlay("requiretls")
            .substitute("[smtp.provider.example]:25", "[127.0.0.1]:" + upstream.port())
            .substitute("[mx.partner.example]:25", "[127.0.0.1]:" + partner.port())
            .substitute("[legacy.example]:25", "[127.0.0.1]:" + legacy.port())
            .substitute("TRUSTSTORE", trustStore.toString())
            // The story routes no mailbox: the demo's routing handlers give way to the REQUIRETLS extension.
            .substitute("<handler class=\"org.relaypack.smtphooks.RoutingRcptHook\"/>",
                "<handler class=\"org.relaypack.smtphooks.RequireTlsExtension\"/>")
            .substitute("<handlerchain coreHandlersPackage=\"org.relaypack.smtphooks.RoutingCoreCmdHandlerLoader\">", "<handlerchain>")
            .substitute("extensions.routes=org.relaypack.routing.MailboxRoutesWebAdminRoutes", "")
            .start();
    }

    @AfterAll
    static void stop() throws Exception {
        james.close();
        partner.close();
        legacy.close();
        upstream.close();
    }

    @BeforeEach
    void clear() {
        partner.mailCommands().clear();
        partner.messages().clear();
        legacy.clear();
        upstream.clear();
    }

    /** EHLO, STARTTLS, EHLO again; returns the client ready for MAIL. */
    private static SmtpTestClient overTls() throws Exception {
        SmtpTestClient client = SmtpTestClient.plain(james.port(25));
        client.greeting();
        client.ehlo("lan-host.lan.example");
        assertThat(client.startTls().code()).isEqualTo(220);
        assertThat(client.ehlo("lan-host.lan.example").lines()).anyMatch(line -> line.contains("REQUIRETLS"));
        return client;
    }

    private static void sendWithRequireTls(SmtpTestClient client, String recipient, String subject) throws Exception {
        sendWithRequireTls(client, "alice@lan.example", recipient, subject);
    }

    private static void sendWithRequireTls(SmtpTestClient client, String sender, String recipient, String subject) throws Exception {
        assertThat(client.command("MAIL FROM:<" + sender + "> REQUIRETLS").code()).isEqualTo(250);
        assertThat(client.command("RCPT TO:<" + recipient + ">").code()).isEqualTo(250);
        assertThat(client.command("DATA").code()).isEqualTo(354);
        client.sendRaw(SmtpTestClient.message(sender, recipient, subject, "confidential") + "\r\n.\r\n");
        assertThat(client.readReply().code()).isEqualTo(250);
    }

    @Test
    void aRequireTlsMailShouldReachTheAuthenticatedPartnerWithRequireTlsOnMailFrom() throws Exception {
        try (SmtpTestClient client = overTls()) {
            sendWithRequireTls(client, "carol@partner.example", "to the partner");
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> partner.messages().size() == 1);
        assertThat(partner.mailCommands()).containsExactly("MAIL FROM:<alice@lan.example> REQUIRETLS");
        assertThat(partner.messages().get(0)).contains("Subject: to the partner");
        assertThat(upstream.transactions()).isEmpty();
        assertThat(legacy.transactions()).isEmpty();
    }

    @Test
    void aRequireTlsMailToAnOpportunisticHopShouldComeBackAsA5710DsnAndNeverBeSentThere() throws Exception {
        try (SmtpTestClient client = overTls()) {
            sendWithRequireTls(client, "dave@legacy.example", "to the legacy hop");
        }

        // James's DSNBounce copies the mail's attributes, so the DSN travels under REQUIRETLS too, here by
        // the LAN's route, the partner hop, from the null sender; it returns the header section only.
        await().atMost(Duration.ofSeconds(30)).until(() -> partner.messages().size() == 1);
        assertThat(partner.mailCommands()).containsExactly("MAIL FROM:<> REQUIRETLS");
        assertThat(partner.messages().get(0)).contains("multipart/report").contains("dave@legacy.example").contains("5.7.10")
            .contains("text/rfc822-headers").contains("Subject: to the legacy hop")
            .doesNotContain("confidential");
        assertThat(legacy.transactions()).isEmpty();
        assertThat(upstream.transactions()).isEmpty();
    }

    @Test
    void theDsnShouldReachAReturnPathThatCannotCarryRequireTlsWithoutItInsteadOfBeingDropped() throws Exception {
        try (SmtpTestClient client = overTls()) {
            sendWithRequireTls(client, "bob@elsewhere.example", "dave@legacy.example", "from elsewhere");
        }

        // bob's return path is the opportunistic upstream hop: no REQUIRETLS there, so the DSN goes without it
        await().atMost(Duration.ofSeconds(30)).until(() -> upstream.transactions().size() == 1);
        SmtpPeer.Transaction dsn = upstream.transactions().get(0);
        assertThat(dsn.sender()).isEmpty();
        assertThat(dsn.recipients()).containsExactly("bob@elsewhere.example");
        assertThat(dsn.content()).contains("multipart/report").contains("5.7.10").contains("Subject: from elsewhere")
            .doesNotContain("confidential");
        assertThat(legacy.transactions()).isEmpty();
        assertThat(partner.messages()).isEmpty();
    }

    @Test
    void theSameMailWithoutRequireTlsShouldGoToTheOpportunisticHop() throws Exception {
        try (SmtpTestClient client = overTls()) {
            assertThat(client.send("alice@lan.example", ImmutableList.of("dave@legacy.example"),
                SmtpTestClient.message("alice@lan.example", "dave@legacy.example", "no requirement", "hello")).code()).isEqualTo(250);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> legacy.transactions().size() == 1);
        assertThat(upstream.transactions()).isEmpty();
    }

    @Test
    void requireTlsInCleartextShouldBeRefusedAndNotAdvertised() throws Exception {
        try (SmtpTestClient client = SmtpTestClient.plain(james.port(25))) {
            client.greeting();
            assertThat(client.ehlo("lan-host.lan.example").lines()).noneMatch(line -> line.contains("REQUIRETLS"));

            SmtpTestClient.Reply refusal = client.command("MAIL FROM:<alice@lan.example> REQUIRETLS");
            assertThat(refusal.code()).isEqualTo(530);
            assertThat(refusal.lines()).containsExactly("5.7.10 REQUIRETLS needs a TLS session");
        }
    }
}
