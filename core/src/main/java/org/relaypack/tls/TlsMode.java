package org.relaypack.tls;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How a connection to a next hop is protected. Postfix equivalents in brackets.
 */
public enum TlsMode {
    /** Plaintext only [smtp_tls_security_level=none]. */
    NONE("none"),
    /** STARTTLS when the server offers it, plaintext otherwise [may]. */
    OPPORTUNISTIC("opportunistic"),
    /** STARTTLS or no transaction at all [encrypt/verify]. */
    STARTTLS_REQUIRED("starttls-required"),
    /** TLS from the first byte, port 465 [smtp_tls_wrappermode=yes]. */
    IMPLICIT("implicit"),
    /**
     * DANE (RFC 7672) for MX delivery [dane]: per MX host, TLS authenticated by DNSSEC-validated
     * TLSA records, TLS without authentication, or the hop's fallback, as DNSSEC decides.
     */
    DANE("dane"),
    /**
     * For {@code type="mx"} hops: the recipient domain's MTA-STS policy (RFC 8461) decides, host
     * by host; without a policy, opportunistic [postfix-mta-sts-resolver + smtp_tls_policy_maps].
     */
    MTA_STS("mta-sts"),
    /**
     * For {@code type="mx"} hops, both (RFC 8461 section 2): an MX host with a usable,
     * DNSSEC-validated TLSA set gets DANE and MTA-STS is not consulted for it; any other host gets
     * the recipient domain's MTA-STS policy; without one, what DANE decided (its fallback).
     */
    DANE_OR_MTA_STS("dane-or-mta-sts");

    private final String configValue;

    TlsMode(String configValue) {
        this.configValue = configValue;
    }

    public String configValue() {
        return configValue;
    }

    /** True when the mode never lets a transaction happen without TLS. */
    public boolean requiresTls() {
        return this == STARTTLS_REQUIRED || this == IMPLICIT;
    }

    /** The MX hosts are looked up and checked by the hop's DNSSEC-validating resolver (DANE). */
    public boolean usesDane() {
        return this == DANE || this == DANE_OR_MTA_STS;
    }

    /** The recipient domain's MTA-STS policy is consulted. */
    public boolean usesMtaSts() {
        return this == MTA_STS || this == DANE_OR_MTA_STS;
    }

    /** A policy of the recipient domain decides: only for {@code type="mx"} hops. */
    public boolean recipientDomainPolicy() {
        return usesDane() || usesMtaSts();
    }

    /** The modes as written in the configuration, for error messages: "none, opportunistic, ...". */
    public static String configValues() {
        return Arrays.stream(values()).map(TlsMode::configValue).collect(Collectors.joining(", "));
    }

    public static Optional<TlsMode> parse(String value) {
        String normalized = value.trim().toLowerCase(Locale.US);
        return Arrays.stream(values())
            .filter(mode -> mode.configValue.equals(normalized))
            .findFirst();
    }
}
