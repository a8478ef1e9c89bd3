package org.relaypack.tls.report;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.util.Locale;
import java.util.Optional;

import com.google.common.base.Throwables;

/** The result types of RFC 8460 section 4.3, as the report writes them. */
public enum TlsResultType {
    STARTTLS_NOT_SUPPORTED("starttls-not-supported"),
    CERTIFICATE_HOST_MISMATCH("certificate-host-mismatch"),
    CERTIFICATE_EXPIRED("certificate-expired"),
    CERTIFICATE_NOT_TRUSTED("certificate-not-trusted"),
    VALIDATION_FAILURE("validation-failure"),
    TLSA_INVALID("tlsa-invalid"),
    DNSSEC_INVALID("dnssec-invalid"),
    DANE_REQUIRED("dane-required"),
    STS_POLICY_FETCH_ERROR("sts-policy-fetch-error"),
    STS_POLICY_INVALID("sts-policy-invalid"),
    STS_WEBPKI_INVALID("sts-webpki-invalid");

    private final String value;

    TlsResultType(String value) {
        this.value = value;
    }

    /** The name RFC 8460 gives it: {@code starttls-not-supported}. */
    public String value() {
        return value;
    }

    public static Optional<TlsResultType> of(String value) {
        for (TlsResultType type : values()) {
            if (type.value.equals(value)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    /** A text that begins with a result type ({@code "certificate-host-mismatch: ..."}), as the MTA-STS testing check says it. */
    public static Optional<TlsResultType> prefixOf(String text) {
        int colon = text.indexOf(':');
        return of(colon < 0 ? text : text.substring(0, colon));
    }

    /**
     * What a failed TLS handshake was, from the JDK's exception: an expired certificate, a name the
     * certificate does not carry, a chain to no trusted anchor; anything else (a TLSA record that
     * authenticates nothing, no common protocol) is {@code validation-failure}.
     */
    public static TlsResultType ofHandshakeFailure(Throwable failure) {
        if (Throwables.getCausalChain(failure).stream().anyMatch(CertificateExpiredException.class::isInstance)) {
            return CERTIFICATE_EXPIRED;
        }
        for (Throwable cause : Throwables.getCausalChain(failure)) {
            String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
            if (message.contains("no subject alternative") || message.contains("no name matching")
                || message.contains("neither the next hop")) {
                return CERTIFICATE_HOST_MISMATCH;
            }
            if (cause instanceof CertPathBuilderException || cause instanceof CertPathValidatorException) {
                return CERTIFICATE_NOT_TRUSTED;
            }
        }
        return VALIDATION_FAILURE;
    }
}
