package org.relaypack.tls;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Which name a verified server certificate must carry. Postfix equivalents in brackets.
 */
public enum CertificateMatch {
    /** The host name connected to: the configured host or the MX host name DNS gave [verify]. */
    HOSTNAME("hostname"),
    /**
     * The next-hop domain (the configured host, the domain whose MX was looked up, or the recipient
     * domain of a {@code type="mx"} hop) or any name under it [secure, with
     * {@code smtp_tls_secure_cert_match = nexthop, dot-nexthop}]: a forged MX answer cannot lead to
     * a server whose certificate only names itself.
     */
    NEXTHOP("nexthop");

    private final String configValue;

    CertificateMatch(String configValue) {
        this.configValue = configValue;
    }

    public String configValue() {
        return configValue;
    }

    public static Optional<CertificateMatch> parse(String value) {
        String normalized = value.trim().toLowerCase(Locale.US);
        return Arrays.stream(values()).filter(match -> match.configValue.equals(normalized)).findFirst();
    }
}
