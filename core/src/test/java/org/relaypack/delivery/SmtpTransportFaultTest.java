package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relaypack.delivery.TestMails.SENDER;
import static org.relaypack.delivery.TestMails.hop;
import static org.relaypack.delivery.TestMails.mail;
import static org.relaypack.testing.Addresses.address;

import org.relaypack.testing.Addresses;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.dnsservice.api.InMemoryDNSService;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.relaypack.delivery.smtp.SessionDeadlines;
import org.relaypack.testing.DnsJavaShapedDns;
import org.relaypack.testing.ScriptedSmtpPeer;
import org.relaypack.testing.ScriptedSmtpPeers;
import org.relaypack.testing.TestCertificates;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsPolicy;
import org.relaypack.tls.TlsProtocolVersion;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;

/**
 * The fault matrix of docs/delivery-transport.md: hostile and broken servers over real loopback
 * sockets, with deadlines of a second. Each test is guarded by a generous JUnit timeout: a
 * session that is not cut would hang the test, never make it pass.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SmtpTransportFaultTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration SHORT = Duration.ofSeconds(1);
    private static final SessionDeadlines SHORT_DEADLINES = SessionDeadlines.builder()
        .connect(Duration.ofSeconds(5)).replies(SHORT).dataTransfer(SHORT).build();

    private final TestCertificates certificates = TestCertificates.get();
    @RegisterExtension
    final ScriptedSmtpPeers peers = new ScriptedSmtpPeers();
    private InMemoryDNSService dns;
    private SmtpTransport testee;

    @BeforeEach
    void setUp() {
        dns = new DnsJavaShapedDns()
            .registerRecord("localhost", ImmutableList.of(LOOPBACK), ImmutableList.of(), ImmutableList.of());
        testee = new SmtpTransport(dns, Clock.systemUTC(), SmtpTransport.SMTP_PORT, false);
    }

    @AfterEach
    void tearDown() {
        testee.close();
    }

    private ScriptedSmtpPeer start(ScriptedSmtpPeer.Builder builder) {
        return peers.start(builder);
    }

    private static NextHopBuilder shortHop(int... ports) {
        return hop("upstream", ports).deadlines(SHORT_DEADLINES);
    }

    /** TLS handshakes on a busy machine may take more than a second: the TLS rows keep the usual deadlines. */
    private static NextHopBuilder tlsHop(int... ports) {
        return hop("upstream", ports);
    }

    private static RecipientOutcome onlyOutcome(DeliveryResult result) {
        assertThat(result.outcomes()).hasSize(1);
        return result.outcomes().get(0);
    }

    /** A message of the given size, generated line by line as it is written (never held whole). */
    private static Mail largeMail(String name, int megabytes) throws MessagingException {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties())) {
            @Override
            public void writeTo(OutputStream out) throws IOException {
                out.write(("From: " + SENDER + "\r\nSubject: large\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                byte[] line = (".".repeat(1) + "x".repeat(1021) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < megabytes * 1024; i++) {
                    out.write(line);
                }
            }
        };
        FakeMail mail = FakeMail.builder().name(name).sender(SENDER).recipient(address("rcpt@remote.test")).mimeMessage(message).build();
        mail.setMessageSize(megabytes * 1024L * 1024L);
        return mail;
    }

    @Nested
    class Deadlines {
        @Test
        void aGreetingDrippedSlowlyShouldHitTheDeadlineAndTheMailGoToTheNextHost() throws Exception {
            ScriptedSmtpPeer tarpit = start(ScriptedSmtpPeer.builder().dripGreeting(Duration.ofMillis(200)));
            ScriptedSmtpPeer healthy = start(ScriptedSmtpPeer.builder());

            List<DeliveryResult> results = new ArrayList<>();
            List<String> log = LogCapture.infoOf(SmtpTransport.class, () -> results.add(
                testee.deliver(shortHop(tarpit.port(), healthy.port()).build(), uncheckedMail("m1"))));

            assertThat(results.get(0).recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address("rcpt@remote.test"));
            assertThat(healthy.messages()).hasSize(1);
            assertThat(tarpit.sawCommand("EHLO")).isFalse();
            assertThat(log).anySatisfy(line -> assertThat(line)
                .contains("Delivery attempt failed", "localhost[127.0.0.1]:" + tarpit.port(), "timed out", "the greeting"));
        }

        @Test
        void aGreetingDrippedSlowlyShouldDeferTheMailWhenNoOtherHostIsLeft() throws Exception {
            ScriptedSmtpPeer tarpit = start(ScriptedSmtpPeer.builder().dripGreeting(Duration.ofMillis(200)));

            RecipientOutcome outcome = onlyOutcome(testee.deliver(shortHop(tarpit.port()).build(), mail("m1", "rcpt@remote.test")));

            assertThat(outcome.status()).isEqualTo(RecipientOutcome.Status.TEMPORARY_FAILURE);
            assertThat(outcome.reply().text()).startsWith("4.4.2").contains("timed out");
        }

        @Test
        void aServerThatStopsReadingAfter354ShouldBeCutAtTheWriteDeadline() throws Exception {
            ScriptedSmtpPeer stalling = start(ScriptedSmtpPeer.builder().stopReadingAfterData());
            ScriptedSmtpPeer healthy = start(ScriptedSmtpPeer.builder());

            DeliveryResult result = testee.deliver(shortHop(stalling.port(), healthy.port()).build(), largeMail("m1", 16));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address("rcpt@remote.test"));
            assertThat(result.host()).contains("localhost[127.0.0.1]:" + healthy.port());
            assertThat(stalling.messages()).isEmpty();
            assertThat(healthy.messages()).hasSize(1);
            assertThat(healthy.messages().get(0)).hasSizeGreaterThan(16 * 1024 * 1024);
        }

        @Test
        void aServerThatNeverAnswersTheFinalDotShouldDeferAtTheDataDoneDeadline() throws Exception {
            ScriptedSmtpPeer silent = start(ScriptedSmtpPeer.builder().neverReply("."));
            ScriptedSmtpPeer other = start(ScriptedSmtpPeer.builder());

            RecipientOutcome outcome = onlyOutcome(testee.deliver(shortHop(silent.port(), other.port()).build(), mail("m1", "rcpt@remote.test")));

            assertThat(outcome.status()).isEqualTo(RecipientOutcome.Status.TEMPORARY_FAILURE);
            assertThat(outcome.reply().text()).contains("timed out", "may arrive twice");
            assertThat(other.sessions()).as("no second copy right away").isZero();
        }
    }

    @Nested
    class Caps {
        @Test
        void endlessContinuationLinesShouldFailThatHostOnly() throws Exception {
            ScriptedSmtpPeer endless = start(ScriptedSmtpPeer.builder().endlessEhlo());
            ScriptedSmtpPeer healthy = start(ScriptedSmtpPeer.builder());

            DeliveryResult result = testee.deliver(shortHop(endless.port(), healthy.port()).build(), mail("m1", "rcpt@remote.test"));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address("rcpt@remote.test"));
            assertThat(healthy.messages()).hasSize(1);
            assertThat(endless.sawCommand("MAIL")).isFalse();
        }

        @Test
        void endlessContinuationLinesShouldBeReportedAsAnOverlongReply() throws Exception {
            ScriptedSmtpPeer endless = start(ScriptedSmtpPeer.builder().endlessEhlo());

            RecipientOutcome outcome = onlyOutcome(testee.deliver(hop("upstream", endless.port()).build(), mail("m1", "rcpt@remote.test")));

            assertThat(outcome.status()).isEqualTo(RecipientOutcome.Status.TEMPORARY_FAILURE);
            assertThat(outcome.reply().text()).contains("reply to EHLO longer than");
        }
    }

    @Nested
    class DataAndTheFinalDot {
        @Test
        void dataAnswered250ShouldNotCountAsDelivered() throws Exception {
            ScriptedSmtpPeer liar = start(ScriptedSmtpPeer.builder().reply("DATA", "250 2.0.0 ok"));

            RecipientOutcome outcome = onlyOutcome(testee.deliver(shortHop(liar.port()).build(), mail("m1", "rcpt@remote.test")));

            assertThat(outcome.status()).isEqualTo(RecipientOutcome.Status.TEMPORARY_FAILURE);
            assertThat(outcome.reply().text()).startsWith("4.5.0").contains("protocol error", "250 2.0.0 ok");
            assertThat(liar.messages()).isEmpty();
        }

        @Test
        void dataAnswered250ShouldSendTheMailToTheNextHost() throws Exception {
            ScriptedSmtpPeer liar = start(ScriptedSmtpPeer.builder().extensions("PIPELINING").reply("DATA", "250 2.0.0 ok"));
            ScriptedSmtpPeer healthy = start(ScriptedSmtpPeer.builder());

            DeliveryResult result = testee.deliver(shortHop(liar.port(), healthy.port()).build(), mail("m1", "rcpt@remote.test"));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address("rcpt@remote.test"));
            assertThat(healthy.messages()).hasSize(1);
            assertThat(liar.messages()).isEmpty();
        }

        @Test
        void aConnectionClosedAfterTheFinalDotShouldDeferWithoutTryingTheNextHostAtOnce() throws Exception {
            ScriptedSmtpPeer closing = start(ScriptedSmtpPeer.builder().closeWithoutReply("."));
            ScriptedSmtpPeer other = start(ScriptedSmtpPeer.builder());

            RecipientOutcome outcome = onlyOutcome(testee.deliver(shortHop(closing.port(), other.port()).build(), mail("m1", "rcpt@remote.test")));

            assertThat(outcome.status()).isEqualTo(RecipientOutcome.Status.TEMPORARY_FAILURE);
            assertThat(outcome.reply().text()).startsWith("4.4.2").contains("may arrive twice");
            assertThat(closing.messages()).hasSize(1);
            assertThat(other.sessions()).isZero();
        }
    }

    @Nested
    class Addresses {
        @Test
        void aRecipientWithACarriageReturnShouldBeRefusedBeforeAnyByteIsWritten() throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder());
            MailAddress injected = new MailAddress("\"a\\\r\\\nRCPT TO:<victim@remote.test>\"@remote.test");
            Mail mail = FakeMail.builder().name("m1").sender(SENDER).recipients(injected, address("good@remote.test"))
                .mimeMessage(TestMails.message("m1")).build();

            DeliveryResult result = testee.deliver(shortHop(peer.port()).build(), mail);

            assertThat(result.recipientsWith(RecipientOutcome.Status.PERMANENT_FAILURE)).containsExactly(injected);
            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address("good@remote.test"));
            assertThat(peer.commands()).filteredOn(line -> line.startsWith("RCPT")).containsExactly("RCPT TO:<good@remote.test>");
            assertThat(peer.sawCommand("RCPT TO:<victim")).isFalse();
        }

        @Test
        void aSenderWithALineFeedShouldFailTheMailBeforeAnyConnection() throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder());
            Mail mail = FakeMail.builder().name("m1").sender(new MailAddress("\"s\\\nDATA\"@relaypack.test"))
                .recipient(address("rcpt@remote.test")).mimeMessage(TestMails.message("m1")).build();

            RecipientOutcome outcome = onlyOutcome(testee.deliver(shortHop(peer.port()).build(), mail));

            assertThat(outcome.status()).isEqualTo(RecipientOutcome.Status.PERMANENT_FAILURE);
            assertThat(outcome.reply().asString()).startsWith("553 5.1.7");
            assertThat(peer.sessions()).isZero();
        }
    }

    @Nested
    class OpportunisticTls {
        @Test
        void aTlsV1OnlyServerShouldGetTheMailOverTlsV1UnderMay() throws Exception {
            ScriptedSmtpPeer old = start(ScriptedSmtpPeer.builder().startTls(certificates.goodServerContext(), "TLSv1"));

            DeliveryResult result = testee.deliver(tlsHop(old.port()).tls(TlsPolicy.of(TlsMode.OPPORTUNISTIC)).build(), mail("m1", "rcpt@remote.test"));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).as(result.toString()).hasSize(1);
            assertThat(result.tlsProtocol()).contains("TLSv1");
            assertThat(old.tlsProtocols()).containsExactly("TLSv1");
            assertThat(old.messages()).hasSize(1);
        }

        @Test
        void aTlsV1OnlyServerShouldNotGetTheMailUnderARequiredMode() throws Exception {
            ScriptedSmtpPeer old = start(ScriptedSmtpPeer.builder().startTls(certificates.goodServerContext(), "TLSv1"));

            RecipientOutcome outcome = onlyOutcome(testee.deliver(tlsHop(old.port())
                .tls(TestTlsPolicies.policy(TlsMode.STARTTLS_REQUIRED)).build(), mail("m1", "rcpt@remote.test")));

            assertThat(outcome.status()).isEqualTo(RecipientOutcome.Status.TEMPORARY_FAILURE);
            assertThat(outcome.reply().text()).startsWith("4.7.5");
            assertThat(old.sawCommand("MAIL")).isFalse();
        }

        @Test
        void aFailedHandshakeUnderMayShouldBeRetriedInPlaintextOnANewConnection() throws Exception {
            ScriptedSmtpPeer broken = start(ScriptedSmtpPeer.builder().brokenStartTls());

            DeliveryResult result = testee.deliver(tlsHop(broken.port()).tls(TlsPolicy.of(TlsMode.OPPORTUNISTIC)).build(), mail("m1", "rcpt@remote.test"));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).as(result.toString()).hasSize(1);
            assertThat(result.tlsProtocol()).isEmpty();
            assertThat(broken.sessions()).isEqualTo(2);
            assertThat(broken.commands()).filteredOn(line -> line.equals("STARTTLS")).hasSize(1);
            assertThat(broken.messages()).hasSize(1);
        }

        @Test
        void aFailedHandshakeUnderARequiredModeShouldSendNothingInPlaintext() throws Exception {
            ScriptedSmtpPeer broken = start(ScriptedSmtpPeer.builder().brokenStartTls());

            RecipientOutcome outcome = onlyOutcome(testee.deliver(tlsHop(broken.port())
                .tls(TestTlsPolicies.policy(TlsMode.STARTTLS_REQUIRED, false)).build(), mail("m1", "rcpt@remote.test")));

            assertThat(outcome.status()).isEqualTo(RecipientOutcome.Status.TEMPORARY_FAILURE);
            assertThat(outcome.reply().text()).startsWith("4.7.5");
            assertThat(broken.sessions()).isEqualTo(1);
            assertThat(broken.sawCommand("MAIL")).isFalse();
            assertThat(broken.messages()).isEmpty();
        }

        @Test
        void mayShouldKeepAConfiguredFloor() throws Exception {
            ScriptedSmtpPeer old = start(ScriptedSmtpPeer.builder().startTls(certificates.goodServerContext(), "TLSv1"));
            TlsPolicy floor12 = new TlsPolicy(TlsMode.OPPORTUNISTIC, false, java.util.Optional.empty(), TlsProtocolVersion.TLS_V1_2);

            DeliveryResult result = testee.deliver(tlsHop(old.port()).tls(floor12).build(), mail("m1", "rcpt@remote.test"));

            // the handshake fails at the floor; may then delivers in plaintext, as Postfix does
            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).as(result.toString()).hasSize(1);
            assertThat(result.tlsProtocol()).isEmpty();
            assertThat(old.tlsProtocols()).isEmpty();
        }
    }

    @Nested
    class AbsoluteNames {
        @Test
        void anMxNameWithTheTrailingDotShouldGetStartTlsWithSniAndIdentityWithoutIt() throws Exception {
            ScriptedSmtpPeer peer = start(ScriptedSmtpPeer.builder().startTls(certificates.goodServerContext(), "TLSv1.3", "TLSv1.2"));
            // as James's dnsjava-based DNSService answers: absolute names
            dns.registerRecord("dotted.test", ImmutableList.of(), ImmutableList.of("localhost."), ImmutableList.of());
            dns.registerRecord("localhost.", ImmutableList.of(LOOPBACK), ImmutableList.of(), ImmutableList.of());
            NextHop internet = NextHop.builder("internet").kind(NextHop.Kind.RECIPIENT_MX).mxPort(peer.port())
                .loopDetection(LoopDetection.of(ImmutableSet.of(), true))
                .heloName("relay.relaypack.test")
                .tls(TestTlsPolicies.policy(TlsMode.STARTTLS_REQUIRED, true)).build();

            DeliveryResult result = testee.deliver(internet, mail("m1", "rcpt@dotted.test"));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).as(result.toString()).containsExactly(address("rcpt@dotted.test"));
            assertThat(result.tlsProtocol()).isPresent();
            assertThat(peer.serverNames()).containsExactly("localhost");
            assertThat(peer.messages()).hasSize(1);
        }
    }

    private static Mail uncheckedMail(String name) {
        try {
            return mail(name, "rcpt@remote.test");
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}
