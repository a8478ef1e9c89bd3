package org.relaypack.tls.dane;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relaypack.tls.TlsMode;
import org.xbill.DNS.Type;

/** DNS answers with their DNSSEC state, from a signed and an unsigned zone served on loopback. */
class DaneResolverTest {
    private static final byte[] DIGEST = new byte[32];

    @TempDir
    Path directory;

    private SigningDns dns;
    private DaneResolver testee;

    @BeforeEach
    void setUp() throws Exception {
        dns = SigningDns.start();
        dns.signedZone("signed.test")
            .mx("signed.test", 10, "mx1.signed.test").mx("signed.test", 20, "mx2.signed.test")
            .a("mx1.signed.test", "127.0.0.1").a("mx2.signed.test", "127.0.0.1")
            .tlsa("mx1.signed.test", 25, TlsaAssociation.of(3, 1, 1, DIGEST))
            .a("broken.signed.test", "127.0.0.1").breakSignature("broken.signed.test", Type.A);
        dns.unsignedZone("plain.test").mx("plain.test", 10, "mx.plain.test").a("mx.plain.test", "127.0.0.1");
        Path anchors = dns.writeTrustAnchors(directory.resolve("anchors.key"));
        testee = DaneResolver.create(DaneSettings.of(TrustAnchors.read(anchors), Optional.of(dns.address()), TlsMode.OPPORTUNISTIC));
    }

    @AfterEach
    void tearDown() throws Exception {
        dns.close();
    }

    @Test
    void mxOfASignedZoneShouldBeSecureInPreferenceOrder() {
        DnsAnswer<DaneResolver.Exchanger> answer = testee.mx("signed.test");

        assertThat(answer.status()).isEqualTo(DnsAnswer.Status.FOUND);
        assertThat(answer.security()).isEqualTo(DnsSecurity.SECURE);
        assertThat(answer.records()).extracting(DaneResolver.Exchanger::name).containsExactly("mx1.signed.test.", "mx2.signed.test.");
    }

    @Test
    void addressesOfASignedZoneShouldBeSecureWithASecureNodataForAaaa() {
        DnsAnswer<InetAddress> answer = testee.addresses("mx1.signed.test.");

        assertThat(answer.security()).isEqualTo(DnsSecurity.SECURE);
        assertThat(answer.records()).containsExactly(InetAddress.getLoopbackAddress());
    }

    @Test
    void tlsaOfASignedZoneShouldBeSecure() {
        DnsAnswer<TlsaAssociation> answer = testee.tlsa("mx1.signed.test", 25);

        assertThat(answer.security()).isEqualTo(DnsSecurity.SECURE);
        assertThat(answer.records()).containsExactly(TlsaAssociation.of(3, 1, 1, DIGEST));
    }

    @Test
    void aMissingTlsaRecordShouldBeASecureNxdomain() {
        DnsAnswer<TlsaAssociation> answer = testee.tlsa("mx2.signed.test", 25);

        assertThat(answer.status()).isEqualTo(DnsAnswer.Status.NXDOMAIN);
        assertThat(answer.security()).isEqualTo(DnsSecurity.SECURE);
    }

    @Test
    void anUnsignedZoneShouldBeInsecure() {
        DnsAnswer<DaneResolver.Exchanger> answer = testee.mx("plain.test");

        assertThat(answer.status()).isEqualTo(DnsAnswer.Status.FOUND);
        assertThat(answer.security()).isEqualTo(DnsSecurity.INSECURE);
    }

    @Test
    void aBrokenSignatureShouldBeBogusWithTheValidatorsReason() {
        DnsAnswer<InetAddress> answer = testee.addresses("broken.signed.test");

        assertThat(answer.status()).isEqualTo(DnsAnswer.Status.FAILED);
        assertThat(answer.security()).isEqualTo(DnsSecurity.BOGUS);
        assertThat(answer.records()).isEmpty();
        assertThat(answer.failure()).isPresent();
    }
}
