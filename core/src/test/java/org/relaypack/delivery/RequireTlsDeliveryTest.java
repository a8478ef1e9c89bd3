package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relaypack.delivery.TestMails.hop;
import static org.relaypack.delivery.TestMails.mail;
import static org.relaypack.delivery.TestMails.tlsRequiredNoMail;

import org.relaypack.testing.DnsJavaShapedDns;
import org.relaypack.testing.ScriptedSmtpPeer;
import org.relaypack.testing.TestCertificates;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.mail.MessagingException;

import org.apache.james.core.MaybeSender;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsRequirement;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;

/**
 * REQUIRETLS (RFC 8689 section 4.2.1) on the sending side, over real loopback sockets and real
 * STARTTLS against scripted peers: only an authenticated TLS peer that advertises REQUIRETLS gets
 * the mail, with REQUIRETLS on MAIL FROM; any other next hop gets nothing and the sender a DSN.
 */
class RequireTlsDeliveryTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final TestCertificates certificates = TestCertificates.get();
    private final List<ScriptedSmtpPeer> peers = new ArrayList<>();
    private DnsJavaShapedDns dns;
    private SmtpTransport testee;

    @BeforeEach
    void setUp() {
        dns = new DnsJavaShapedDns();
        dns.registerRecord("localhost", ImmutableList.of(LOOPBACK), ImmutableList.of(), ImmutableList.of());
        testee = new SmtpTransport(dns, Clock.systemUTC(), SmtpTransport.SMTP_PORT, false);
    }

    @AfterEach
    void tearDown() throws IOException {
        testee.close();
        for (ScriptedSmtpPeer peer : peers) {
            peer.close();
        }
    }

    private ScriptedSmtpPeer peer(String... extensions) {
        ScriptedSmtpPeer peer = ScriptedSmtpPeer.builder().extensions(extensions)
            .startTls(certificates.goodServerContext(), "TLSv1.2", "TLSv1.3").start();
        peers.add(peer);
        return peer;
    }

    private static Mail requireTlsMail(String name) throws MessagingException {
        Mail mail = mail(name, "bob@remote.test");
        TlsRequirement.markRequireTls(mail);
        return mail;
    }

    private static RecipientOutcome onlyOutcome(DeliveryResult result) {
        assertThat(result.outcomes()).hasSize(1);
        return result.outcomes().get(0);
    }

    @Test
    void aVerifiedHopAdvertisingRequireTlsShouldGetTheMailWithRequireTlsOnMailFrom() throws Exception {
        ScriptedSmtpPeer peer = peer("REQUIRETLS", "SIZE 1000000");

        DeliveryResult result = testee.deliver(hop("partner", peer.port()).tls(TestTlsPolicies.policy(TlsMode.STARTTLS_REQUIRED)).build(),
            requireTlsMail("secret"));

        assertThat(onlyOutcome(result).status()).isEqualTo(RecipientOutcome.Status.DELIVERED);
        assertThat(peer.commands()).anyMatch(command -> command.startsWith("MAIL FROM:<") && command.endsWith(" REQUIRETLS"));
        assertThat(peer.messages()).hasSize(1);
    }

    @Test
    void aVerifiedHopNotAdvertisingRequireTlsShouldGetNothingAndTheSenderA5730Dsn() throws Exception {
        ScriptedSmtpPeer peer = peer("SIZE 1000000");

        DeliveryResult result = testee.deliver(hop("partner", peer.port()).tls(TestTlsPolicies.policy(TlsMode.STARTTLS_REQUIRED)).build(),
            requireTlsMail("secret"));

        RecipientOutcome outcome = onlyOutcome(result);
        assertThat(outcome.status()).isEqualTo(RecipientOutcome.Status.PERMANENT_FAILURE);
        assertThat(outcome.reply().asString()).startsWith("550 5.7.30 REQUIRETLS support required");
        assertThat(peer.sawCommand("MAIL")).isFalse();
        assertThat(peer.messages()).isEmpty();
    }

    @Test
    void anOpportunisticHopShouldGetNoConnectionAndTheSenderA5710Dsn() throws Exception {
        ScriptedSmtpPeer peer = peer("REQUIRETLS");

        DeliveryResult result = testee.deliver(hop("partner", peer.port()).tls(TestTlsPolicies.policy(TlsMode.OPPORTUNISTIC)).build(),
            requireTlsMail("secret"));

        RecipientOutcome outcome = onlyOutcome(result);
        assertThat(outcome.status()).isEqualTo(RecipientOutcome.Status.PERMANENT_FAILURE);
        assertThat(outcome.reply().asString()).startsWith("550 5.7.10 REQUIRETLS").contains("verify=\"false\"");
        assertThat(peer.sessions()).isZero();
    }

    @Test
    void anEncryptedButUnverifiedHopShouldGetNoConnectionEither() throws Exception {
        ScriptedSmtpPeer peer = peer("REQUIRETLS");

        DeliveryResult result = testee.deliver(hop("partner", peer.port()).tls(TestTlsPolicies.policy(TlsMode.STARTTLS_REQUIRED, false)).build(),
            requireTlsMail("secret"));

        assertThat(onlyOutcome(result).reply().asString()).startsWith("550 5.7.10 REQUIRETLS");
        assertThat(peer.sessions()).isZero();
    }

    @Test
    void aCertificateForAnotherNameShouldSendNothing() throws Exception {
        ScriptedSmtpPeer peer = ScriptedSmtpPeer.builder().extensions("REQUIRETLS")
            .startTls(certificates.wrongNameServerContext(), "TLSv1.2", "TLSv1.3").start();
        peers.add(peer);

        DeliveryResult result = testee.deliver(hop("partner", peer.port()).tls(TestTlsPolicies.policy(TlsMode.STARTTLS_REQUIRED)).build(),
            requireTlsMail("secret"));

        // a failed handshake is a host failure, as for any mail under verify: retried, never sent in the clear
        assertThat(onlyOutcome(result).status()).isEqualTo(RecipientOutcome.Status.TEMPORARY_FAILURE);
        assertThat(onlyOutcome(result).reply().asString()).startsWith("451 4.7.5");
        assertThat(peer.sawCommand("MAIL")).isFalse();
        assertThat(peer.messages()).isEmpty();
    }

    @Test
    void theNextHostAdvertisingRequireTlsShouldGetTheMail() throws Exception {
        ScriptedSmtpPeer without = peer("SIZE 1000000");
        ScriptedSmtpPeer with = peer("REQUIRETLS");

        DeliveryResult result = testee.deliver(hop("partner", without.port(), with.port())
            .tls(TestTlsPolicies.policy(TlsMode.STARTTLS_REQUIRED)).build(), requireTlsMail("secret"));

        assertThat(onlyOutcome(result).status()).isEqualTo(RecipientOutcome.Status.DELIVERED);
        assertThat(without.messages()).isEmpty();
        assertThat(with.messages()).hasSize(1);
    }

    @Test
    void aRecipientMxHopShouldGetNothingWhileItsMxNamesAreNotValidated() throws Exception {
        ScriptedSmtpPeer peer = peer("REQUIRETLS");
        dns.registerRecord("remote.test", ImmutableList.of(), ImmutableList.of("localhost."), ImmutableList.of());
        NextHop internet = NextHop.builder("internet").kind(NextHop.Kind.RECIPIENT_MX).mxPort(peer.port())
            .tls(TestTlsPolicies.policy(TlsMode.STARTTLS_REQUIRED)).loopDetection(LoopDetection.of(ImmutableSet.of(), true))
            .connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(10)).heloName("relay.relaypack.test").build();

        DeliveryResult result = testee.deliver(internet, requireTlsMail("secret"));

        assertThat(onlyOutcome(result).status()).isEqualTo(RecipientOutcome.Status.PERMANENT_FAILURE);
        assertThat(onlyOutcome(result).reply().asString()).startsWith("550 5.7.10 REQUIRETLS").contains("MX lookup");
        assertThat(peer.sessions()).isZero();
    }

    /** RFC 8689 section 5: a bounce (null sender) of a REQUIRETLS mail is not discarded for REQUIRETLS. */
    @Nested
    class FromTheNullSender {
        private Mail requireTlsBounce() throws MessagingException {
            Mail bounce = FakeMail.builder().name("dsn").sender(MaybeSender.nullSender())
                .recipient("alice@remote.test").mimeMessage(TestMails.message("dsn")).build();
            TlsRequirement.markRequireTls(bounce);
            bounce.setAttribute(new Attribute(TlsRequirement.HEADERS_ONLY_DSN_ATTRIBUTE, AttributeValue.of(true)));
            return bounce;
        }

        /** A client's own MAIL FROM:<> REQUIRETLS (not a DSN the pack bounced, header section only) keeps the strict rule. */
        @Test
        void aNullSenderMailAClientSentWithRequireTlsShouldNotGoInPlaintext() throws Exception {
            ScriptedSmtpPeer peer = peer("REQUIRETLS");
            Mail mail = requireTlsBounce();
            mail.removeAttribute(TlsRequirement.HEADERS_ONLY_DSN_ATTRIBUTE);

            DeliveryResult result = testee.deliver(hop("partner", peer.port()).tls(TestTlsPolicies.policy(TlsMode.OPPORTUNISTIC)).build(), mail);

            assertThat(onlyOutcome(result).reply().asString()).startsWith("550 5.7.10 REQUIRETLS");
            assertThat(peer.sawCommand("MAIL")).isFalse();
            assertThat(peer.messages()).isEmpty();
        }

        /** REQUIRETLS only where the peer is authenticated and offers it; delivered everywhere. */
        @ParameterizedTest(name = "{0} hop, peer offering [{1}]: {2}")
        @CsvSource({
            "OPPORTUNISTIC, REQUIRETLS, MAIL FROM:<>",
            "STARTTLS_REQUIRED, REQUIRETLS, MAIL FROM:<> REQUIRETLS",
            "STARTTLS_REQUIRED, HELP, MAIL FROM:<>"})
        void theBounceShouldBeDeliveredWithRequireTlsOnlyWhereTheHostCanCarryIt(TlsMode mode, String extension, String mailCommand)
            throws Exception {
            ScriptedSmtpPeer peer = peer(extension);

            DeliveryResult result = testee.deliver(hop("partner", peer.port()).tls(TestTlsPolicies.policy(mode)).build(), requireTlsBounce());

            assertThat(onlyOutcome(result).status()).isEqualTo(RecipientOutcome.Status.DELIVERED);
            assertThat(peer.commands()).filteredOn(command -> command.startsWith("MAIL")).containsExactly(mailCommand);
            assertThat(peer.messages()).hasSize(1);
        }
    }

    @Nested
    class WithoutRequireTls {
        @Test
        void aMailWithoutRequireTlsShouldGoToAHopNotAdvertisingItWithoutTheParameter() throws Exception {
            ScriptedSmtpPeer peer = peer("SIZE 1000000");

            DeliveryResult result = testee.deliver(hop("partner", peer.port()).tls(TestTlsPolicies.policy(TlsMode.OPPORTUNISTIC)).build(),
                mail("plain", "bob@remote.test"));

            assertThat(onlyOutcome(result).status()).isEqualTo(RecipientOutcome.Status.DELIVERED);
            assertThat(peer.commands()).filteredOn(command -> command.startsWith("MAIL")).noneMatch(command -> command.contains("REQUIRETLS"));
        }

        @Test
        void tlsRequiredNoShouldNotRelaxTheConfiguredVerification() throws Exception {
            ScriptedSmtpPeer peer = ScriptedSmtpPeer.builder().startTls(certificates.wrongNameServerContext(), "TLSv1.2", "TLSv1.3").start();
            peers.add(peer);
            Mail mail = tlsRequiredNoMail("relaxed", "bob@remote.test");

            DeliveryResult result = testee.deliver(hop("partner", peer.port()).tls(TestTlsPolicies.policy(TlsMode.STARTTLS_REQUIRED)).build(), mail);

            assertThat(TlsRequirement.of(mail)).isEqualTo(TlsRequirement.TLS_OPTIONAL);
            assertThat(onlyOutcome(result).status()).isEqualTo(RecipientOutcome.Status.TEMPORARY_FAILURE);
            assertThat(peer.messages()).isEmpty();
        }
    }

    @Nested
    class Requirement {
        @Test
        void requireTlsShouldWinOverTheHeader() throws Exception {
            Mail mail = requireTlsMail("both");
            mail.getMessage().setHeader(TlsRequirement.TLS_REQUIRED_HEADER, "No");

            assertThat(TlsRequirement.of(mail)).isEqualTo(TlsRequirement.REQUIRETLS);
        }

        @Test
        void theHeaderValueShouldBeReadWithoutRegardToCaseOrSpaces() throws Exception {
            Mail mail = mail("relaxed", "bob@remote.test");
            mail.getMessage().setHeader(TlsRequirement.TLS_REQUIRED_HEADER, " no ");

            assertThat(TlsRequirement.of(mail)).isEqualTo(TlsRequirement.TLS_OPTIONAL);
        }

        @Test
        void anyOtherHeaderValueShouldRelaxNothing() throws Exception {
            Mail mail = mail("other", "bob@remote.test");
            mail.getMessage().setHeader(TlsRequirement.TLS_REQUIRED_HEADER, "Yes");

            assertThat(TlsRequirement.of(mail)).isEqualTo(TlsRequirement.DEFAULT);
        }
    }
}
