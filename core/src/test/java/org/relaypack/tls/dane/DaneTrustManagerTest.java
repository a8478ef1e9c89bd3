package org.relaypack.tls.dane;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The TLSA check of a server's certificate chain (RFC 7672 3.1): DANE-EE on the leaf alone,
 * DANE-TA on a chain up to a certificate the server sent, with the MX host name checked.
 */
class DaneTrustManagerTest {
    private static final String HOST = "mx.signed.test";
    private static KeyPair caKey;
    private static X509Certificate ca;
    private static X509Certificate leaf;
    private static X509Certificate expiredLeaf;
    private static X509Certificate otherNameLeaf;
    private static X509Certificate otherCa;

    @BeforeAll
    static void makeCertificates() throws Exception {
        caKey = keyPair();
        ca = certificate("CN=Test CA", caKey, caKey, "CN=Test CA", true, null, Duration.ofDays(1));
        KeyPair leafKey = keyPair();
        leaf = certificate("CN=" + HOST, leafKey, caKey, "CN=Test CA", false, HOST, Duration.ofDays(1));
        expiredLeaf = certificate("CN=" + HOST, leafKey, caKey, "CN=Test CA", false, HOST, Duration.ofDays(-1));
        otherNameLeaf = certificate("CN=other.test", leafKey, caKey, "CN=Test CA", false, "*.other.test", Duration.ofDays(1));
        KeyPair otherCaKey = keyPair();
        otherCa = certificate("CN=Other CA", otherCaKey, otherCaKey, "CN=Other CA", true, null, Duration.ofDays(1));
    }

    private static KeyPair keyPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate certificate(String subject, KeyPair subjectKey, KeyPair issuerKey, String issuer, boolean isCa,
                                               String dnsName, Duration validFor) throws Exception {
        Instant now = Instant.now();
        Instant end = now.plus(validFor);
        Instant start = validFor.isNegative() ? end.minus(Duration.ofDays(2)) : now.minus(Duration.ofHours(1));
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(issuer), BigInteger.valueOf(now.toEpochMilli()),
            Date.from(start), Date.from(end), new X500Name(subject), subjectKey.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (dnsName != null) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
        }
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate())));
    }

    private static byte[] sha(String algorithm, byte[] data) throws Exception {
        return MessageDigest.getInstance(algorithm).digest(data);
    }

    private static DaneTrustManager testee(TlsaAssociation... records) {
        return new DaneTrustManager(TlsaCheck.of(HOST, List.of(records)));
    }

    @Test
    void daneEeShouldAcceptTheLeafByItsSpkiDigestWhateverItsNameAndExpiry() throws Exception {
        DaneTrustManager testee = testee(TlsaAssociation.of(3, 1, 1, sha("SHA-256", expiredLeaf.getPublicKey().getEncoded())));

        assertThatCode(() -> testee.checkServerTrusted(new X509Certificate[] {expiredLeaf}, "ECDHE_ECDSA")).doesNotThrowAnyException();
        assertThatCode(() -> testee.checkServerTrusted(new X509Certificate[] {otherNameLeaf, ca}, "ECDHE_ECDSA")).doesNotThrowAnyException();
    }

    @Test
    void daneEeShouldMatchTheFullCertificateAndSha512() throws Exception {
        assertThatCode(() -> testee(TlsaAssociation.of(3, 0, 0, leaf.getEncoded())).checkServerTrusted(new X509Certificate[] {leaf}, "EC"))
            .doesNotThrowAnyException();
        assertThatCode(() -> testee(TlsaAssociation.of(3, 0, 2, sha("SHA-512", leaf.getEncoded()))).checkServerTrusted(new X509Certificate[] {leaf}, "EC"))
            .doesNotThrowAnyException();
    }

    @Test
    void daneEeShouldRefuseAnotherCertificate() throws Exception {
        assertRefused(TlsaAssociation.of(3, 1, 1, sha("SHA-256", ca.getPublicKey().getEncoded())), leaf, ca)
            .hasMessageStartingWith("DANE: no TLSA record of mx.signed.test");
    }

    @Test
    void daneTaShouldAcceptAChainToTheMatchingCaThatNamesTheMxHost() throws Exception {
        DaneTrustManager testee = testee(TlsaAssociation.of(2, 1, 1, sha("SHA-256", ca.getPublicKey().getEncoded())));

        assertThatCode(() -> testee.checkServerTrusted(new X509Certificate[] {leaf, ca}, "EC")).doesNotThrowAnyException();
    }

    @Test
    void daneTaShouldRefuseACertificateThatDoesNotNameTheMxHost() throws Exception {
        assertRefused(TlsaAssociation.of(2, 0, 1, sha("SHA-256", ca.getEncoded())), otherNameLeaf, ca)
            .hasMessageContaining("the certificate does not name mx.signed.test");
    }

    @Test
    void daneTaShouldRefuseAnExpiredLeaf() throws Exception {
        assertRefused(TlsaAssociation.of(2, 0, 1, sha("SHA-256", ca.getEncoded())), expiredLeaf, ca)
            .hasMessageContaining("does not verify");
    }

    @Test
    void daneTaShouldRefuseALeafNotIssuedByTheMatchingCa() throws Exception {
        assertRefused(TlsaAssociation.of(2, 1, 1, sha("SHA-256", otherCa.getPublicKey().getEncoded())), leaf, otherCa)
            .hasMessageContaining("does not verify");
    }

    @Test
    void daneTaShouldRefuseAChainWithoutTheTrustAnchor() throws Exception {
        assertRefused(TlsaAssociation.of(2, 1, 1, sha("SHA-256", ca.getPublicKey().getEncoded())), leaf);
    }

    /** The chain is refused under this TLSA record; the exception, to assert on. */
    private AbstractThrowableAssert<?, ? extends Throwable> assertRefused(TlsaAssociation association, X509Certificate... chain) {
        DaneTrustManager testee = testee(association);
        return assertThatThrownBy(() -> testee.checkServerTrusted(chain, "EC")).isInstanceOf(CertificateException.class);
    }
}
