package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relaypack.delivery.TestMails.mail;
import static org.relaypack.testing.Addresses.address;

import org.relaypack.testing.Addresses;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.relaypack.delivery.smtp.SessionDeadlines;
import org.relaypack.testing.DnsJavaShapedDns;
import org.relaypack.testing.SmtpPeer;
import org.relaypack.testing.TestCertificates;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsPolicy;

import com.google.common.collect.ImmutableSet;

/**
 * Delivery over real sockets to MX hosts found in dnsjava-shaped answers: absolute MX names with
 * STARTTLS and a verified certificate, and the DNS outcomes the sender sees (docs/delivery-transport.md).
 */
class DnsAnswersDeliveryTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final LoopDetection LOOPBACK_PEERS = LoopDetection.of(ImmutableSet.of(), true);

    private final TestCertificates certificates = TestCertificates.get();
    private DnsJavaShapedDns dns;
    private SmtpPeer mx;
    private SmtpTransport testee;

    @BeforeEach
    void setUp() {
        mx = SmtpPeer.builder().startTls(certificates.goodServerContext()).requireTls().start();
        dns = new DnsJavaShapedDns();
        testee = new SmtpTransport(dns, Clock.systemUTC(), mx.port(), false);
    }

    @AfterEach
    void tearDown() {
        testee.close();
        mx.close();
    }

    private static NextHop internet(TlsPolicy tls, LoopDetection loopDetection) {
        return NextHop.builder("internet").kind(NextHop.Kind.RECIPIENT_MX).tls(tls).loopDetection(loopDetection)
            .deadlines(SessionDeadlines.builder().connect(Duration.ofSeconds(5)).replies(Duration.ofSeconds(10)).build()).heloName("relay.relaypack.test").build();
    }

    @Test
    void anAbsoluteMxNameShouldGetVerifiedStartTls() throws Exception {
        // The certificate names "localhost"; DNSService says "localhost." (and the zone wrote it in capitals).
        dns.mx("remote.test", "LocalHost.").address("localhost", LOOPBACK);

        DeliveryResult result = testee.deliver(internet(TestTlsPolicies.policy(TlsMode.STARTTLS_REQUIRED, true), LOOPBACK_PEERS),
            mail("m1", "bob@remote.test"));

        assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address("bob@remote.test"));
        assertThat(result.host()).contains("localhost[127.0.0.1]:" + mx.port());
        assertThat(result.tlsProtocol()).hasValueSatisfying(protocol -> assertThat(protocol).startsWith("TLSv1."));
        assertThat(mx.transactions()).hasSize(1);
    }

    @Test
    void anAbsoluteMxNameShouldGetOpportunisticTls() throws Exception {
        dns.mx("remote.test", "localhost.").address("localhost", LOOPBACK);

        DeliveryResult result = testee.deliver(internet(TestTlsPolicies.policy(TlsMode.OPPORTUNISTIC), LOOPBACK_PEERS),
            mail("m1", "bob@remote.test"));

        assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address("bob@remote.test"));
        assertThat(result.tlsProtocol()).isPresent();
    }

    @Test
    void nxdomainShouldBounceAtOnceWith544AndTheOtherDomainShouldStillBeDelivered() throws Exception {
        dns.mx("remote.test", "localhost.").address("localhost", LOOPBACK);

        DeliveryResult result = testee.deliver(internet(TestTlsPolicies.policy(TlsMode.OPPORTUNISTIC), LOOPBACK_PEERS),
            mail("m1", "bob@remote.test", "ann@typo.test"));

        assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address("bob@remote.test"));
        assertThat(result.recipientsWith(RecipientOutcome.Status.PERMANENT_FAILURE)).containsExactly(address("ann@typo.test"));
        assertThat(result.outcomes()).filteredOn(outcome -> outcome.recipient().equals(address("ann@typo.test")))
            .singleElement().satisfies(outcome -> assertThat(outcome.reply().asString()).startsWith("550 5.4.4 "));
        assertThat(mx.transactions()).hasSize(1);
    }

    @Test
    void aNullMxShouldBounceAtOnceWith5110() throws Exception {
        dns.nullMx("nomail.test").address("nomail.test", LOOPBACK);

        DeliveryResult result = testee.deliver(internet(TestTlsPolicies.policy(TlsMode.OPPORTUNISTIC), LOOPBACK_PEERS),
            mail("m1", "bob@nomail.test"));

        assertThat(result.outcomes()).singleElement().satisfies(outcome -> {
            assertThat(outcome.status()).isEqualTo(RecipientOutcome.Status.PERMANENT_FAILURE);
            assertThat(outcome.reply().asString()).startsWith("550 5.1.10 ");
        });
        assertThat(mx.connections()).isZero();
    }

    @Test
    void servfailShouldBeRetried() throws Exception {
        dns.servfail("broken.test");

        DeliveryResult result = testee.deliver(internet(TestTlsPolicies.policy(TlsMode.OPPORTUNISTIC), LOOPBACK_PEERS),
            mail("m1", "bob@broken.test"));

        assertThat(result.outcomes()).singleElement().satisfies(outcome -> {
            assertThat(outcome.status()).isEqualTo(RecipientOutcome.Status.TEMPORARY_FAILURE);
            assertThat(outcome.reply().asString()).startsWith("451 4.4.3 ");
        });
    }

    @Test
    void anMxOnLoopbackShouldBounceAsALoopAndGetNoConnection() throws Exception {
        dns.mx("remote.test", "localhost.").address("localhost", LOOPBACK);

        DeliveryResult result = testee.deliver(internet(TestTlsPolicies.policy(TlsMode.OPPORTUNISTIC), LoopDetection.defaults()),
            mail("m1", "bob@remote.test"));

        assertThat(result.outcomes()).singleElement().satisfies(outcome -> {
            assertThat(outcome.status()).isEqualTo(RecipientOutcome.Status.PERMANENT_FAILURE);
            assertThat(outcome.reply().asString()).startsWith("550 5.4.6 mail for remote.test loops back to myself");
        });
        assertThat(mx.connections()).isZero();
        assertThat(mx.transactions()).isEmpty();
    }
}
