package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relaypack.delivery.TestMails.mail;

import org.relaypack.testing.DnsJavaShapedDns;
import org.relaypack.testing.ScriptedSmtpPeer;
import org.relaypack.testing.TestCertificates;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.mailet.Mail;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.relaypack.tls.CertificateMatch;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsPolicy;
import org.relaypack.tls.TlsRequirement;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;

/**
 * {@code match="nexthop"} (Postfix {@code secure} with {@code smtp_tls_secure_cert_match = nexthop,
 * dot-nexthop}), over real STARTTLS: the MX of nexthop.test is mx.elsewhere.test (as DNS says,
 * forged or not), and the certificate must name nexthop.test or a name under it.
 */
class SecureCertificateMatchTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final TestCertificates.Single UNDER_NEXTHOP = TestCertificates.single("under", "CN=mx.nexthop.test", "SAN=dns:mx.nexthop.test");
    private static final TestCertificates.Single MX_NAME_ONLY = TestCertificates.single("mxname", "CN=mx.elsewhere.test", "SAN=dns:mx.elsewhere.test");

    private final List<ScriptedSmtpPeer> peers = new ArrayList<>();
    private SmtpTransport testee;
    private ScriptedSmtpPeer peer;

    private void startPeer(TestCertificates.Single certificate, String... extensions) {
        peer = ScriptedSmtpPeer.builder().extensions(extensions).startTls(certificate.serverContext(), "TLSv1.2", "TLSv1.3").start();
        peers.add(peer);
        DnsJavaShapedDns dns = new DnsJavaShapedDns();
        dns.registerRecord("nexthop.test", ImmutableList.of(), ImmutableList.of("mx.elsewhere.test."), ImmutableList.of());
        dns.registerRecord("mx.elsewhere.test", ImmutableList.of(LOOPBACK), ImmutableList.of(), ImmutableList.of());
        testee = new SmtpTransport(dns, Clock.systemUTC(), peer.port(), false);
    }

    @AfterEach
    void tearDown() throws IOException {
        testee.close();
        for (ScriptedSmtpPeer started : peers) {
            started.close();
        }
    }

    private static NextHop internet(TestCertificates.Single trusted, CertificateMatch match) {
        TlsPolicy tls = new TlsPolicy(TlsMode.STARTTLS_REQUIRED, true, Optional.of(TestTlsPolicies.trustStore(trusted)),
            TlsPolicy.defaultMinProtocol(TlsMode.STARTTLS_REQUIRED), match);
        return NextHop.builder("internet").kind(NextHop.Kind.RECIPIENT_MX).tls(tls)
            .loopDetection(LoopDetection.of(ImmutableSet.of(), true))
            .connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(10)).heloName("relay.relaypack.test").build();
    }

    private static RecipientOutcome.Status status(DeliveryResult result) {
        assertThat(result.outcomes()).hasSize(1);
        return result.outcomes().get(0).status();
    }

    @Test
    void aCertificateForANameUnderTheNextHopShouldBeAccepted() throws Exception {
        startPeer(UNDER_NEXTHOP);

        DeliveryResult result = testee.deliver(internet(UNDER_NEXTHOP, CertificateMatch.NEXTHOP), mail("secure", "bob@nexthop.test"));

        assertThat(status(result)).isEqualTo(RecipientOutcome.Status.DELIVERED);
        assertThat(peer.messages()).hasSize(1);
    }

    @Test
    void aCertificateNamingOnlyTheMxHostShouldBeRefusedUnderNextHop() throws Exception {
        startPeer(MX_NAME_ONLY);

        DeliveryResult result = testee.deliver(internet(MX_NAME_ONLY, CertificateMatch.NEXTHOP), mail("secure", "bob@nexthop.test"));

        assertThat(status(result)).isEqualTo(RecipientOutcome.Status.TEMPORARY_FAILURE);
        assertThat(result.outcomes().get(0).reply().asString()).startsWith("451 4.7.5").contains("neither the next hop nexthop.test");
        assertThat(peer.sawCommand("MAIL")).isFalse();
        assertThat(peer.messages()).isEmpty();
    }

    @Test
    void theSameCertificateShouldPassUnderHostNameMatchingWhichTrustsDns() throws Exception {
        startPeer(MX_NAME_ONLY);

        DeliveryResult result = testee.deliver(internet(MX_NAME_ONLY, CertificateMatch.HOSTNAME), mail("verify", "bob@nexthop.test"));

        assertThat(status(result)).isEqualTo(RecipientOutcome.Status.DELIVERED);
    }

    @Test
    void requireTlsMailShouldGoToAnMxHopThatMatchesTheNextHop() throws Exception {
        startPeer(UNDER_NEXTHOP, "REQUIRETLS");
        Mail mail = mail("requiretls", "bob@nexthop.test");
        TlsRequirement.markRequireTls(mail);

        DeliveryResult result = testee.deliver(internet(UNDER_NEXTHOP, CertificateMatch.NEXTHOP), mail);

        assertThat(status(result)).isEqualTo(RecipientOutcome.Status.DELIVERED);
        assertThat(peer.commands()).anyMatch(command -> command.startsWith("MAIL FROM:<") && command.endsWith(" REQUIRETLS"));
    }
}
