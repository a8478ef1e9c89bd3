package org.relaypack.delivery;

import java.util.Optional;

import org.relaypack.testing.TestCertificates;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsPolicy;

/** TLS policies that trust the shared test certificates. */
final class TestTlsPolicies {
    static TlsPolicy.TrustStore trustStore() {
        return new TlsPolicy.TrustStore(TestCertificates.get().trustStorePath().toString(), "PKCS12", Optional.of(TestCertificates.PASSWORD));
    }

    /** A trust store holding only the given test certificate. */
    static TlsPolicy.TrustStore trustStore(TestCertificates.Single certificate) {
        return new TlsPolicy.TrustStore(certificate.trustStorePath().toString(), "PKCS12", Optional.of(TestCertificates.PASSWORD));
    }

    /** A policy trusting the test certificates, verification as the mode defaults it. */
    static TlsPolicy policy(TlsMode mode) {
        return policy(mode, mode.requiresTls());
    }

    static TlsPolicy policy(TlsMode mode, boolean verify) {
        return new TlsPolicy(mode, verify, Optional.of(trustStore()), TlsPolicy.defaultMinProtocol(mode));
    }

    private TestTlsPolicies() {
    }
}
