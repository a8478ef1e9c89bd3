package org.relaypack.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relaypack.delivery.TestMails.mail;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relaypack.testing.DnsJavaShapedDns;
import org.relaypack.testing.ScriptedSmtpPeer;
import org.relaypack.testing.TestCertificates;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsPolicy;
import org.relaypack.tls.dane.DaneSettings;
import org.relaypack.tls.dane.SigningDns;
import org.relaypack.tls.dane.TlsaAssociation;
import org.relaypack.tls.dane.TrustAnchors;
import org.relaypack.tls.mtasts.MtaStsPolicies;
import org.relaypack.tls.report.TlsFailure;
import org.relaypack.tls.report.TlsReportPolicy;
import org.relaypack.tls.report.TlsReportSink;
import org.relaypack.tls.report.TlsResultType;

import com.google.common.collect.ImmutableSet;

/**
 * What {@code <tls mode="dane">} hands to the TLS report sink (RFC 8460), on loopback with a
 * DNSSEC-signed zone and real STARTTLS: {@code tlsa} policies with the MX host's records.
 */
class DaneTlsReportTest {
    private static final String RECIPIENT = "bob@signed.test";

    /** The outcomes, in order: a success is an entry without failure. */
    private static final class Recorded implements TlsReportSink {
        private final List<String> outcomes = new CopyOnWriteArrayList<>();
        private final List<TlsReportPolicy> policies = new CopyOnWriteArrayList<>();

        @Override
        public void success(TlsReportPolicy policy) {
            policies.add(policy);
            outcomes.add("success");
        }

        @Override
        public void failure(TlsReportPolicy policy, TlsFailure failure) {
            policies.add(policy);
            outcomes.add(failure.type().value() + " " + failure.mxHost().orElse("-"));
        }
    }

    @TempDir
    Path directory;

    private final TestCertificates certificates = TestCertificates.get();
    private final Recorded recorded = new Recorded();
    private SigningDns dns;
    private ScriptedSmtpPeer peer;
    private SmtpTransport testee;

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
            recorded);
    }

    private NextHop daneHop() throws Exception {
        TrustAnchors anchors = TrustAnchors.read(dns.writeTrustAnchors(directory.resolve("anchors.key")));
        return NextHop.builder("internet").kind(NextHop.Kind.RECIPIENT_MX)
            .tls(TlsPolicy.of(TlsMode.DANE))
            .dane(DaneSettings.of(anchors, Optional.of(dns.address()), TlsMode.OPPORTUNISTIC))
            .loopDetection(LoopDetection.of(ImmutableSet.of(), true))
            .connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(10)).heloName("relay.relaypack.test")
            .build();
    }

    private static TlsaAssociation spkiSha256(int usage, X509Certificate certificate) throws Exception {
        return TlsaAssociation.of(usage, 1, 1, MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded()));
    }

    private SigningDns.Zone signedZoneWithOneMx() {
        return dns.signedZone("signed.test").mx("signed.test", 10, "mx.signed.test").a("mx.signed.test", "127.0.0.1");
    }

    private ScriptedSmtpPeer.Builder withStartTls() {
        return ScriptedSmtpPeer.builder().startTls(certificates.goodServerContext(), "TLSv1.3", "TLSv1.2");
    }

    @Test
    void anAuthenticatedSessionShouldBeASuccessOfTheTlsaPolicy() throws Exception {
        startPeer(withStartTls());
        TlsaAssociation record = spkiSha256(3, certificates.goodCertificate());
        signedZoneWithOneMx().tlsa("mx.signed.test", peer.port(), record);

        testee.deliver(daneHop(), mail("m1", RECIPIENT));

        assertThat(recorded.outcomes).containsExactly("success");
        assertThat(recorded.policies).containsExactly(TlsReportPolicy.tlsa("signed.test", List.of(record.asString()), "mx.signed.test"));
    }

    @Test
    void aStrippedStartTlsShouldBeStarttlsNotSupported() throws Exception {
        startPeer(ScriptedSmtpPeer.builder());
        signedZoneWithOneMx().tlsa("mx.signed.test", peer.port(), spkiSha256(3, certificates.goodCertificate()));

        testee.deliver(daneHop(), mail("m1", RECIPIENT));

        assertThat(recorded.outcomes).containsExactly("starttls-not-supported mx.signed.test");
    }

    @Test
    void aCertificateNoRecordMatchesShouldBeAValidationFailure() throws Exception {
        startPeer(withStartTls());
        signedZoneWithOneMx().tlsa("mx.signed.test", peer.port(), spkiSha256(3, certificates.wrongNameCertificate()));

        testee.deliver(daneHop(), mail("m1", RECIPIENT));

        assertThat(recorded.outcomes).containsExactly("validation-failure mx.signed.test");
    }

    @Test
    void onlyUnusableRecordsShouldBeTlsaInvalid() throws Exception {
        startPeer(withStartTls());
        TlsaAssociation pkixEe = spkiSha256(1, certificates.goodCertificate());
        signedZoneWithOneMx().tlsa("mx.signed.test", peer.port(), pkixEe);

        testee.deliver(daneHop(), mail("m1", RECIPIENT));

        assertThat(recorded.outcomes).first().isEqualTo(TlsResultType.TLSA_INVALID.value() + " mx.signed.test");
        assertThat(recorded.policies.get(0)).isEqualTo(TlsReportPolicy.tlsa("signed.test", List.of(pkixEe.asString()), "mx.signed.test"));
    }
}
