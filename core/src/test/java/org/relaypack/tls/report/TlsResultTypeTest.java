package org.relaypack.tls.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;

/** A failed handshake's exception, as the JDK chains it, to RFC 8460's result type. */
class TlsResultTypeTest {
    private static SSLHandshakeException handshake(Throwable cause) {
        SSLHandshakeException failure = new SSLHandshakeException(cause.getMessage());
        failure.initCause(cause);
        return failure;
    }

    @Test
    void anExpiredCertificateDeepInTheChainShouldBeCertificateExpired() {
        CertPathValidatorException validator = new CertPathValidatorException("validity check failed", new CertificateExpiredException("NotAfter"));

        assertThat(TlsResultType.ofHandshakeFailure(handshake(new CertificateException("PKIX path validation failed", validator))))
            .isEqualTo(TlsResultType.CERTIFICATE_EXPIRED);
    }

    @Test
    void noPathToATrustedAnchorShouldBeCertificateNotTrusted() {
        assertThat(TlsResultType.ofHandshakeFailure(handshake(new CertificateException("PKIX path building failed",
            new CertPathBuilderException("unable to find valid certification path to requested target")))))
            .isEqualTo(TlsResultType.CERTIFICATE_NOT_TRUSTED);
    }

    @Test
    void theJdksNameMismatchShouldBeCertificateHostMismatch() {
        assertThat(TlsResultType.ofHandshakeFailure(handshake(new CertificateException("No subject alternative DNS name matching mx1.example.com found."))))
            .isEqualTo(TlsResultType.CERTIFICATE_HOST_MISMATCH);
    }

    @Test
    void anythingElseShouldBeValidationFailure() {
        assertThat(TlsResultType.ofHandshakeFailure(handshake(new CertificateException("DANE: no TLSA record of mx1.example.com authenticates ..."))))
            .isEqualTo(TlsResultType.VALIDATION_FAILURE);
        assertThat(TlsResultType.ofHandshakeFailure(new SSLHandshakeException("No appropriate protocol")))
            .isEqualTo(TlsResultType.VALIDATION_FAILURE);
    }

    @Test
    void theTestingCheckTextShouldGiveItsResultType() {
        assertThat(TlsResultType.prefixOf("certificate-host-mismatch: the certificate names [a], not b")).contains(TlsResultType.CERTIFICATE_HOST_MISMATCH);
        assertThat(TlsResultType.prefixOf("something else")).isEmpty();
    }
}
