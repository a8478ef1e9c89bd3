package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relaypack.testing.Addresses.address;
import static org.relaypack.delivery.TestMails.mail;
import static org.relaypack.delivery.TestMails.tlsRequiredNoMail;

import org.relaypack.testing.DnsJavaShapedDns;
import org.relaypack.testing.ScriptedSmtpPeer;
import org.relaypack.testing.TestCertificates;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsRequirement;
import org.relaypack.tls.TlsPolicy;
import org.relaypack.tls.dane.DaneSettings;
import org.relaypack.tls.dane.SigningDns;
import org.relaypack.tls.dane.TlsaAssociation;
import org.relaypack.tls.dane.TrustAnchors;
import org.relaypack.tls.mtasts.MtaStsPolicies;
import org.relaypack.tls.report.TlsFailure;
import org.relaypack.tls.report.TlsReportPolicy;
import org.relaypack.tls.report.TlsReportSink;
import org.xbill.DNS.Type;

import com.google.common.collect.ImmutableSet;

/**
 * {@code <tls mode="dane">} end to end on loopback: a DNSSEC-signed zone (and an unsigned one)
 * served by a real DNS server, validated by the hop's own resolver from a trust anchor file, and
 * SMTP peers with real TLS certificates. Every MX host is 127.0.0.1 on the peer's port: which MX
 * host was used shows in the SNI the peer received.
 */
class DaneDeliveryTest {
    private static final String RECIPIENT = "bob@signed.test";

    @TempDir
    Path directory;

    private final TestCertificates certificates = TestCertificates.get();
    private SigningDns dns;
    private ScriptedSmtpPeer peer;
    private SmtpTransport testee;
    /** What the transport handed to the TLS report sink (RFC 8460): "policy-type domain: outcome". */
    private final List<String> reported = new CopyOnWriteArrayList<>();
    private final List<TlsReportPolicy> reportedPolicies = new CopyOnWriteArrayList<>();
    private final TlsReportSink reports = new TlsReportSink() {
        @Override
        public void success(TlsReportPolicy policy) {
            reportedPolicies.add(policy);
            reported.add(policy.type().value() + " " + policy.domain() + ": success");
        }

        @Override
        public void failure(TlsReportPolicy policy, TlsFailure failure) {
            reportedPolicies.add(policy);
            reported.add(policy.type().value() + " " + policy.domain() + ": " + failure.type().value() + " " + failure.mxHost().orElse("-"));
        }
    };

    @BeforeEach
    void setUp() throws Exception {
        dns = SigningDns.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (testee != null) {
            testee.close();
        }
        if (peer != null) {
            peer.close();
        }
        dns.close();
    }

    private void startPeer(ScriptedSmtpPeer.Builder builder) {
        peer = builder.start();
        DnsJavaShapedDns jamesDns = new DnsJavaShapedDns();
        testee = new SmtpTransport(jamesDns, Clock.systemUTC(), peer.port(), false, MtaStsPolicies.inMemory(jamesDns, Clock.systemUTC()),
            reports);
    }

    private ScriptedSmtpPeer.Builder withStartTls() {
        return ScriptedSmtpPeer.builder().startTls(certificates.goodServerContext(), "TLSv1.3", "TLSv1.2");
    }

    private NextHop daneHop() throws Exception {
        return daneHop(TlsMode.OPPORTUNISTIC);
    }

    private NextHop daneHop(TlsMode fallback) throws Exception {
        TrustAnchors anchors = TrustAnchors.read(dns.writeTrustAnchors(directory.resolve("anchors.key")));
        return NextHop.builder("internet").kind(NextHop.Kind.RECIPIENT_MX)
            .tls(TlsPolicy.of(TlsMode.DANE))
            .dane(DaneSettings.of(anchors, Optional.of(dns.address()), fallback))
            .loopDetection(LoopDetection.of(ImmutableSet.of(), true))
            .connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(10)).heloName("relay.relaypack.test")
            .build();
    }

    private static TlsaAssociation daneEeSpkiSha256(X509Certificate certificate) throws Exception {
        return TlsaAssociation.of(3, 1, 1, MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded()));
    }

    private SigningDns.Zone signedZoneWithOneMx() {
        return dns.signedZone("signed.test").mx("signed.test", 10, "mx.signed.test").a("mx.signed.test", "127.0.0.1");
    }

    private static String reply(DeliveryResult result) {
        return result.outcomes().get(0).reply().asString();
    }

    @Test
    void aMatchingDaneEeRecordShouldDeliverOverTlsToTheMxHostName() throws Exception {
        startPeer(withStartTls());
        signedZoneWithOneMx().tlsa("mx.signed.test", peer.port(), daneEeSpkiSha256(certificates.goodCertificate()));

        DeliveryResult result = testee.deliver(daneHop(), mail("m1", RECIPIENT));

        assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
        assertThat(result.tlsProtocol()).hasValueSatisfying(protocol -> assertThat(protocol).isIn("TLSv1.2", "TLSv1.3"));
        // DANE-EE: the certificate names localhost, not the MX host; the TLSA record alone authenticates it
        assertThat(peer.serverNames()).containsExactly("mx.signed.test");
        assertThat(peer.messages()).hasSize(1);
        assertThat(reported).containsExactly("tlsa signed.test: success");
        assertThat(reportedPolicies).containsExactly(TlsReportPolicy.tlsa("signed.test",
            List.of(daneEeSpkiSha256(certificates.goodCertificate()).asString()), "mx.signed.test"));
    }

    @Test
    void aCertificateOfAnotherKeyShouldGetNothingAndDeferWith475() throws Exception {
        startPeer(withStartTls());
        signedZoneWithOneMx().tlsa("mx.signed.test", peer.port(), daneEeSpkiSha256(certificates.wrongNameCertificate()));

        DeliveryResult result = testee.deliver(daneHop(), mail("m1", RECIPIENT));

        assertThat(result.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).containsExactly(address(RECIPIENT));
        assertThat(reply(result)).startsWith("451 4.7.5 TLS handshake with mx.signed.test[127.0.0.1]:" + peer.port() + " failed")
            .contains("DANE");
        assertThat(peer.sawCommand("MAIL")).isFalse();
        assertThat(peer.messages()).isEmpty();
        // no plaintext retry on a new connection, as opportunistic TLS would do
        assertThat(peer.sessions()).isEqualTo(1);
        assertThat(reported).containsExactly("tlsa signed.test: validation-failure mx.signed.test");
    }

    @Test
    void aServerThatStopsOfferingStartTlsShouldGetNothing() throws Exception {
        startPeer(ScriptedSmtpPeer.builder());
        signedZoneWithOneMx().tlsa("mx.signed.test", peer.port(), daneEeSpkiSha256(certificates.goodCertificate()));

        DeliveryResult result = testee.deliver(daneHop(), mail("m1", RECIPIENT));

        assertThat(result.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).containsExactly(address(RECIPIENT));
        assertThat(reply(result)).startsWith("451 4.7.4 TLS is required");
        assertThat(peer.sawCommand("MAIL")).isFalse();
        assertThat(peer.messages()).isEmpty();
        assertThat(reported).containsExactly("tlsa signed.test: starttls-not-supported mx.signed.test");
    }

    /**
     * {@code TLS-Required: No} (RFC 8689 section 4.2.2): the TLSA records are set aside for that mail, and for it only; the
     * hop's own fallback and DNSSEC (see the bogus TLSA test below) are not.
     */
    @Nested
    class TlsRequiredNo {
        @Test
        void strippedStartTlsShouldDeliverATlsRequiredNoMailInPlaintextAndStillRefuseTheOthers() throws Exception {
            startPeer(ScriptedSmtpPeer.builder());
            signedZoneWithOneMx().tlsa("mx.signed.test", peer.port(), daneEeSpkiSha256(certificates.goodCertificate()));
            NextHop hop = daneHop();
            Mail relaxedMail = tlsRequiredNoMail("m1", RECIPIENT);
            AtomicReference<DeliveryResult> relaxed = new AtomicReference<>();

            List<String> log = LogCapture.infoOf("org.relaypack", () -> relaxed.set(testee.deliver(hop, relaxedMail)));
            DeliveryResult enforced = testee.deliver(hop, mail("m2", RECIPIENT));

            assertThat(relaxed.get().recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
            assertThat(relaxed.get().tlsProtocol()).isEmpty();
            assertThat(log).anySatisfy(line -> assertThat(line).contains("TLS-Required: No", "mail=m1", "domain=signed.test",
                "set aside (DANE TLSA of mx.signed.test", "get opportunistic TLS"));
            assertThat(reply(enforced)).startsWith("451 4.7.4 TLS is required");
            assertThat(peer.messages()).singleElement().asString().contains("Subject: m1");
        }

        @Test
        void aCertificateOfAnotherKeyShouldNotStopATlsRequiredNoMail() throws Exception {
            startPeer(withStartTls());
            signedZoneWithOneMx().tlsa("mx.signed.test", peer.port(), daneEeSpkiSha256(certificates.wrongNameCertificate()));

            DeliveryResult result = testee.deliver(daneHop(), tlsRequiredNoMail("m1", RECIPIENT));

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
            // TLS is still used where offered, without the TLSA check
            assertThat(result.tlsProtocol()).isPresent();
            assertThat(peer.messages()).hasSize(1);
        }

        @Test
        void aStartTlsRequiredFallbackShouldStillKeepATlsRequiredNoMailOutOfPlaintext() throws Exception {
            startPeer(ScriptedSmtpPeer.builder());
            signedZoneWithOneMx().tlsa("mx.signed.test", peer.port(), daneEeSpkiSha256(certificates.goodCertificate()));

            DeliveryResult result = testee.deliver(daneHop(TlsMode.STARTTLS_REQUIRED), tlsRequiredNoMail("m1", RECIPIENT));

            assertThat(result.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).containsExactly(address(RECIPIENT));
            assertThat(reply(result)).startsWith("451 4.7.4 TLS is required");
            assertThat(peer.messages()).isEmpty();
        }
    }

    @Test
    void anUnsignedZoneShouldBeDeliveredOpportunisticallyWithoutTlsaLookup() throws Exception {
        startPeer(ScriptedSmtpPeer.builder());
        dns.signedZone("signed.test");
        dns.unsignedZone("plain.test").mx("plain.test", 10, "mx.plain.test").a("mx.plain.test", "127.0.0.1");

        DeliveryResult result = testee.deliver(daneHop(), mail("m1", "ann@plain.test"));

        assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address("ann@plain.test"));
        assertThat(result.tlsProtocol()).isEmpty();
        assertThat(peer.messages()).hasSize(1);
        assertThat(dns.queries()).noneMatch(query -> query.startsWith("TLSA"));
        assertThat(reported).containsExactly("no-policy-found plain.test: starttls-not-supported mx.plain.test");
    }

    /**
     * REQUIRETLS (RFC 8689 4.2.1): an MX host that DNSSEC and usable TLSA records authenticate may carry a
     * REQUIRETLS mail; an MX host of an unsigned zone may not (nothing validated the MX answer).
     */
    @Nested
    class RequireTls {
        @Test
        void aDaneAuthenticatedMxThatOffersRequireTlsShouldGetTheMailWithRequireTlsOnMail() throws Exception {
            startPeer(withStartTls().extensions("REQUIRETLS"));
            signedZoneWithOneMx().tlsa("mx.signed.test", peer.port(), daneEeSpkiSha256(certificates.goodCertificate()));
            Mail mail = mail("m1", RECIPIENT);
            TlsRequirement.markRequireTls(mail);

            DeliveryResult result = testee.deliver(daneHop(), mail);

            assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
            assertThat(peer.commands()).anyMatch(command -> command.startsWith("MAIL FROM:<") && command.endsWith(" REQUIRETLS"));
            assertThat(peer.messages()).hasSize(1);
        }

        @Test
        void anMxOfAnUnsignedZoneShouldGetNoRequireTlsMail() throws Exception {
            startPeer(withStartTls().extensions("REQUIRETLS"));
            dns.signedZone("signed.test");
            dns.unsignedZone("plain.test").mx("plain.test", 10, "mx.plain.test").a("mx.plain.test", "127.0.0.1");
            Mail mail = mail("m1", "ann@plain.test");
            TlsRequirement.markRequireTls(mail);

            DeliveryResult result = testee.deliver(daneHop(), mail);

            assertThat(result.recipientsWith(RecipientOutcome.Status.PERMANENT_FAILURE)).containsExactly(address("ann@plain.test"));
            assertThat(reply(result)).startsWith("550 5.7.10 REQUIRETLS");
            assertThat(peer.sawCommand("MAIL")).isFalse();
            assertThat(peer.messages()).isEmpty();
        }
    }

    /** A bogus A or TLSA answer for the first MX: DANE skips that MX (RFC 7672), as for any bogus answer about it. */
    @ParameterizedTest(name = "bogus {0}")
    @ValueSource(strings = {"A", "TLSA"})
    void aBogusAnswerAboutTheFirstMxShouldSkipItAndUseTheNextMx(String bogusType) throws Exception {
        startPeer(withStartTls());
        String bogusOwner = bogusType.equals("TLSA") ? "_" + peer.port() + "._tcp.mx1.signed.test" : "mx1.signed.test";
        dns.signedZone("signed.test")
            .mx("signed.test", 10, "mx1.signed.test").mx("signed.test", 20, "mx2.signed.test")
            .a("mx1.signed.test", "127.0.0.1").a("mx2.signed.test", "127.0.0.1")
            .tlsa("mx1.signed.test", peer.port(), daneEeSpkiSha256(certificates.goodCertificate()))
            .tlsa("mx2.signed.test", peer.port(), daneEeSpkiSha256(certificates.goodCertificate()))
            .breakSignature(bogusOwner, Type.value(bogusType));

        DeliveryResult result = testee.deliver(daneHop(), mail("m1", RECIPIENT));

        assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
        assertThat(peer.serverNames()).containsExactly("mx2.signed.test");
        assertThat(peer.sessions()).isEqualTo(1);
    }

    @Test
    void aBogusMxAnswerShouldDeferWith475AndConnectNowhere() throws Exception {
        startPeer(withStartTls());
        signedZoneWithOneMx().breakSignature("signed.test", Type.MX)
            .tlsa("mx.signed.test", peer.port(), daneEeSpkiSha256(certificates.goodCertificate()));

        DeliveryResult result = testee.deliver(daneHop(), mail("m1", RECIPIENT));

        assertThat(result.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).containsExactly(address(RECIPIENT));
        assertThat(reply(result)).startsWith("451 4.7.5 MX lookup of signed.test is dnssec-invalid");
        assertThat(peer.sessions()).isZero();
        assertThat(reported).containsExactly("tlsa signed.test: dnssec-invalid -");
    }

    @Test
    void onlyUnusableTlsaRecordsShouldRequireTlsWithoutAuthentication() throws Exception {
        startPeer(withStartTls());
        // PKIX-EE(1) of a certificate the server does not have: not usable for SMTP, but it says "TLS here"
        TlsaAssociation pkixEe = TlsaAssociation.of(1, 1, 1, daneEeSpkiSha256(certificates.wrongNameCertificate()).data());
        signedZoneWithOneMx().tlsa("mx.signed.test", peer.port(), pkixEe);

        DeliveryResult result = testee.deliver(daneHop(), mail("m1", RECIPIENT));

        assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
        assertThat(result.tlsProtocol()).isPresent();
        assertThat(peer.messages()).hasSize(1);
        assertThat(reported).containsExactly("tlsa signed.test: tlsa-invalid mx.signed.test", "no-policy-found signed.test: success");
    }

    @Test
    void onlyUnusableTlsaRecordsShouldStillRefuseAServerWithoutStartTls() throws Exception {
        startPeer(ScriptedSmtpPeer.builder());
        TlsaAssociation pkixTa = TlsaAssociation.of(0, 0, 1, new byte[32]);
        signedZoneWithOneMx().tlsa("mx.signed.test", peer.port(), pkixTa);

        DeliveryResult result = testee.deliver(daneHop(), mail("m1", RECIPIENT));

        assertThat(result.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).containsExactly(address(RECIPIENT));
        assertThat(reply(result)).startsWith("451 4.7.4 TLS is required");
        assertThat(peer.messages()).isEmpty();
    }

    @Test
    void aSignedZoneWithoutTlsaShouldBeDeliveredOpportunistically() throws Exception {
        startPeer(ScriptedSmtpPeer.builder());
        signedZoneWithOneMx();

        DeliveryResult result = testee.deliver(daneHop(), mail("m1", RECIPIENT));

        assertThat(result.recipientsWith(RecipientOutcome.Status.DELIVERED)).containsExactly(address(RECIPIENT));
        assertThat(result.tlsProtocol()).isEmpty();
        assertThat(dns.queries()).anyMatch(query -> query.equals("TLSA _" + peer.port() + "._tcp.mx.signed.test."));
    }

    @Test
    void anUnsignedZoneUnderAStartTlsRequiredFallbackShouldGetNothingInPlaintext() throws Exception {
        startPeer(ScriptedSmtpPeer.builder());
        dns.signedZone("signed.test");
        dns.unsignedZone("plain.test").mx("plain.test", 10, "mx.plain.test").a("mx.plain.test", "127.0.0.1");

        DeliveryResult result = testee.deliver(daneHop(TlsMode.STARTTLS_REQUIRED), mail("m1", "ann@plain.test"));

        assertThat(result.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).containsExactly(address("ann@plain.test"));
        assertThat(reply(result)).startsWith("451 4.7.4 TLS is required");
        assertThat(peer.messages()).isEmpty();
    }

    /** Also for a {@code TLS-Required: No} mail: a bogus answer is a DNS failure, not a TLS policy the header sets aside. */
    @ParameterizedTest(name = "TLS-Required: No {0}")
    @ValueSource(booleans = {false, true})
    void aBogusTlsaAnswerOfTheOnlyMxShouldDeferWith475AndConnectNowhere(boolean tlsRequiredNo) throws Exception {
        startPeer(withStartTls());
        signedZoneWithOneMx().tlsa("mx.signed.test", peer.port(), daneEeSpkiSha256(certificates.goodCertificate()))
            .breakSignature("_" + peer.port() + "._tcp.mx.signed.test", Type.TLSA);

        DeliveryResult result = testee.deliver(daneHop(), tlsRequiredNo ? tlsRequiredNoMail("m1", RECIPIENT) : mail("m1", RECIPIENT));

        assertThat(result.recipientsWith(RecipientOutcome.Status.TEMPORARY_FAILURE)).containsExactly(address(RECIPIENT));
        assertThat(reply(result)).startsWith("451 4.7.5 TLSA lookup of mx.signed.test port " + peer.port() + ": dnssec-invalid (bogus)");
        assertThat(peer.sessions()).isZero();
        assertThat(reported).containsExactly("tlsa signed.test: dnssec-invalid mx.signed.test");
    }
}
