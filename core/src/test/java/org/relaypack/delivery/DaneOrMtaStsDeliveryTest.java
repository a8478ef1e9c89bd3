package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relaypack.delivery.TestMails.mail;
import static org.relaypack.delivery.TestMails.tlsRequiredNoMail;
import static org.relaypack.testing.Addresses.address;

import java.net.InetAddress;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.relaypack.delivery.MtaStsFixtures.Certificates;
import org.relaypack.delivery.MtaStsFixtures.Dns;
import org.relaypack.delivery.MtaStsFixtures.PolicyServer;
import org.relaypack.testing.ScriptedSmtpPeer;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsPolicy;
import org.relaypack.tls.dane.DaneSettings;
import org.relaypack.tls.dane.SigningDns;
import org.relaypack.tls.dane.TlsaAssociation;
import org.relaypack.tls.dane.TrustAnchors;
import org.relaypack.tls.mtasts.MtaStsPolicies;
import org.relaypack.tls.mtasts.MtaStsSettings;
import org.xbill.DNS.Type;

import com.google.common.collect.ImmutableSet;
import com.google.common.collect.Lists;

/**
 * {@code <tls mode="dane-or-mta-sts">} on loopback (RFC 8461 section 2): the MX records, addresses
 * and TLSA records of example.test come from a real DNS server (signed or unsigned zone) through
 * the hop's validating resolver; its _mta-sts TXT record from James's DNSService and its policy from
 * an HTTPS server of the test CA. Every MX host is the one SMTP peer: the SNI it received tells
 * which MX host was used.
 */
class DaneOrMtaStsDeliveryTest {
    private static final String DOMAIN = "example.test";
    private static final String RECIPIENT = "bob@" + DOMAIN;
    private static final String ENFORCE_MX1 = "version: STSv1\nmode: enforce\nmx: mx1.example.test\nmax_age: 86400\n";
    private static final String ENFORCE_OTHER = "version: STSv1\nmode: enforce\nmx: other.example.test\nmax_age: 86400\n";

    @TempDir
    Path directory;

    private final Certificates certificates = Certificates.get();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private SigningDns dns;
    private Dns jamesDns;
    private PolicyServer policyServer;
    private ScriptedSmtpPeer peer;
    private SmtpTransport testee;

    @BeforeEach
    void setUp() throws Exception {
        dns = SigningDns.start();
        closeables.add(dns);
        policyServer = new PolicyServer(certificates.sts());
        closeables.add(policyServer);
        jamesDns = new Dns();
        jamesDns.address("mta-sts." + DOMAIN, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable closeable : Lists.reverse(closeables)) {
            closeable.close();
        }
    }

    private void startPeer(ScriptedSmtpPeer.Builder builder) {
        peer = builder.start();
        closeables.add(peer);
        testee = new SmtpTransport(jamesDns, Clock.systemUTC(), peer.port(), false, MtaStsPolicies.inMemory(jamesDns, Clock.systemUTC()));
        closeables.add(testee);
    }

    private ScriptedSmtpPeer.Builder withStartTls() {
        return ScriptedSmtpPeer.builder().startTls(certificates.sts(), "TLSv1.3", "TLSv1.2");
    }

    private NextHop hop() throws Exception {
        TrustAnchors anchors = TrustAnchors.read(dns.writeTrustAnchors(directory.resolve("anchors.key")));
        TlsPolicy.TrustStore trustStore = certificates.trustStore();
        return NextHop.builder("internet").kind(NextHop.Kind.RECIPIENT_MX)
            .tls(new TlsPolicy(TlsMode.DANE_OR_MTA_STS, false, Optional.of(trustStore), TlsPolicy.OPPORTUNISTIC_MIN_PROTOCOL))
            .dane(DaneSettings.of(anchors, Optional.of(dns.address()), TlsMode.OPPORTUNISTIC))
            .mtaSts(new MtaStsSettings(policyServer.port(), Duration.ofSeconds(10), Optional.of(trustStore)))
            .loopDetection(LoopDetection.of(ImmutableSet.of(), true))
            .connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(10)).heloName("relay.relaypack.test")
            .build();
    }

    private TlsaAssociation daneEeOfThePeersKey() throws Exception {
        return TlsaAssociation.of(3, 1, 1, MessageDigest.getInstance("SHA-256").digest(certificates.stsCertificate().getPublicKey().getEncoded()));
    }

    /** example.test signed, its one MX host with a TLSA record of the peer's key; a policy that names another host. */
    private SigningDns.Zone signedZoneWithUsableTlsa() throws Exception {
        policyServer.policy(ENFORCE_OTHER);
        jamesDns.stsRecord(DOMAIN, "1");
        return dns.signedZone(DOMAIN).mx(DOMAIN, 10, "mx1.example.test").a("mx1.example.test", "127.0.0.1")
            .tlsa("mx1.example.test", peer.port(), daneEeOfThePeersKey());
    }

    /** example.test unsigned (signed.test holds the trust anchor) with two MX hosts; the enforced policy names mx1 only. */
    private void unsignedZoneWithEnforcedPolicy() {
        policyServer.policy(ENFORCE_MX1);
        jamesDns.stsRecord(DOMAIN, "1");
        dns.signedZone("signed.test");
        dns.unsignedZone(DOMAIN).mx(DOMAIN, 10, "evil.example.test").mx(DOMAIN, 20, "mx1.example.test")
            .a("evil.example.test", "127.0.0.1").a("mx1.example.test", "127.0.0.1");
    }

    private static String reply(DeliveryResult result) {
        return result.outcomes().get(0).reply().asString();
    }

    @Test
    void aUsableTlsaSetShouldWinOverAPolicyThatWouldRefuseTheMx() throws Exception {
        startPeer(withStartTls());
        signedZoneWithUsableTlsa();

        DeliveryResult result = testee.deliver(hop(), mail("m1", RECIPIENT));

        assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
        assertThat(result.tlsProtocol()).hasValueSatisfying(protocol -> assertThat(protocol).isIn("TLSv1.2", "TLSv1.3"));
        assertThat(peer.serverNames()).containsExactly("mx1.example.test");
        // DANE decided for every MX host: the policy was not even fetched
        assertThat(policyServer.requests()).isZero();
    }

    @Test
    void aBogusMxAnswerShouldDeferAndNotBeOverriddenByThePolicy() throws Exception {
        startPeer(withStartTls());
        signedZoneWithUsableTlsa().breakSignature(DOMAIN, Type.MX);
        policyServer.policy(ENFORCE_MX1);

        DeliveryResult result = testee.deliver(hop(), mail("m1", RECIPIENT));

        assertThat(result.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).containsExactly(address(RECIPIENT));
        assertThat(reply(result)).startsWith("451 4.7.5 MX lookup of example.test is dnssec-invalid");
        assertThat(peer.sessions()).isZero();
        assertThat(policyServer.requests()).isZero();
    }

    @Test
    void anUnsignedZoneShouldBeDeliveredUnderItsEnforcedPolicyToTheMxItNamesOnly() throws Exception {
        startPeer(withStartTls());
        unsignedZoneWithEnforcedPolicy();

        DeliveryResult result = testee.deliver(hop(), mail("m1", RECIPIENT));

        assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
        assertThat(result.tlsProtocol()).isPresent();
        // evil.example.test, the preferred MX, got nothing: not even a connection
        assertThat(peer.serverNames()).containsExactly("mx1.example.test");
        assertThat(peer.sessions()).isEqualTo(1);
        assertThat(policyServer.requests()).isEqualTo(1);
    }

    /** A peer without STARTTLS; example.test under DANE (usable TLSA) or an enforced MTA-STS policy. */
    private void strippedStartTlsUnder(String policy) throws Exception {
        startPeer(ScriptedSmtpPeer.builder());
        if (policy.equals("DANE")) {
            signedZoneWithUsableTlsa();
        } else {
            unsignedZoneWithEnforcedPolicy();
        }
    }

    /** An attacker strips STARTTLS from the only MX host the policy in force lets the mail go to. */
    @ParameterizedTest(name = "under {0}")
    @ValueSource(strings = {"DANE", "an enforced MTA-STS policy"})
    void strippedStartTlsShouldSendNothing(String policy) throws Exception {
        strippedStartTlsUnder(policy);

        DeliveryResult result = testee.deliver(hop(), mail("m1", RECIPIENT));

        assertThat(result.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).containsExactly(address(RECIPIENT));
        assertThat(reply(result)).startsWith("451 4.7.4 TLS is required");
        assertThat(peer.sawCommand("MAIL")).isFalse();
        assertThat(peer.messages()).isEmpty();
        // only mx1.example.test was connected to (under the policy, evil.example.test is not even tried)
        assertThat(peer.sessions()).isEqualTo(1);
    }

    /** {@code TLS-Required: No} (RFC 8689 section 4.2.2): whichever policy is in force, it is set aside for that mail. */
    @ParameterizedTest(name = "under {0}")
    @ValueSource(strings = {"DANE", "an enforced MTA-STS policy"})
    void strippedStartTlsShouldStillDeliverATlsRequiredNoMailInPlaintext(String policy) throws Exception {
        strippedStartTlsUnder(policy);

        DeliveryResult result = testee.deliver(hop(), tlsRequiredNoMail("m1", RECIPIENT));

        assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
        assertThat(result.tlsProtocol()).isEmpty();
        assertThat(peer.messages()).hasSize(1);
    }

    @Test
    void neitherDaneNorAPolicyShouldDeliverOpportunistically() throws Exception {
        startPeer(ScriptedSmtpPeer.builder());
        dns.signedZone("signed.test");
        dns.unsignedZone(DOMAIN).mx(DOMAIN, 10, "mx1.example.test").a("mx1.example.test", "127.0.0.1");

        DeliveryResult result = testee.deliver(hop(), mail("m1", RECIPIENT));

        assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
        assertThat(result.tlsProtocol()).isEmpty();
        assertThat(peer.messages()).hasSize(1);
        assertThat(policyServer.requests()).isZero();
    }
}
