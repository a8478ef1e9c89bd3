package org.relaypack.tls.dane;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsPolicy;
import org.relaypack.tls.TlsProtocolVersion;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableSet;

/**
 * The {@code <dane>} settings of a {@code <tls mode="dane">} next hop: the trust anchors of the
 * validating resolver, the DNS server it asks (default: the system's, from dnsjava's
 * ResolverConfig) and the policy for MX hosts DANE does not cover (insecure DNS, no TLSA).
 */
public final class DaneSettings {
    /** The fallbacks offered: Postfix's {@code dane} falls back to {@code may}. */
    public static final ImmutableSet<TlsMode> FALLBACKS = ImmutableSet.of(TlsMode.OPPORTUNISTIC, TlsMode.STARTTLS_REQUIRED);
    public static final TlsMode DEFAULT_FALLBACK = TlsMode.OPPORTUNISTIC;
    public static final int DNS_PORT = 53;

    public static DaneSettings of(TrustAnchors trustAnchors, Optional<InetSocketAddress> resolver, TlsMode fallback) {
        return new DaneSettings(trustAnchors, resolver, fallback);
    }

    private final TrustAnchors trustAnchors;
    private final Optional<InetSocketAddress> resolver;
    private final TlsMode fallback;

    private DaneSettings(TrustAnchors trustAnchors, Optional<InetSocketAddress> resolver, TlsMode fallback) {
        if (!FALLBACKS.contains(fallback)) {
            throw new IllegalArgumentException("DANE fallback " + fallback.configValue() + " is not one of opportunistic, starttls-required");
        }
        this.trustAnchors = Objects.requireNonNull(trustAnchors);
        this.resolver = Objects.requireNonNull(resolver);
        this.fallback = fallback;
    }

    public TrustAnchors trustAnchors() {
        return trustAnchors;
    }

    /** The DNS server to ask; empty for the system's. */
    public Optional<InetSocketAddress> resolver() {
        return resolver;
    }

    public TlsMode fallback() {
        return fallback;
    }

    /** For an MX host DANE does not cover: opportunistic (Postfix may) or TLS required without authentication (encrypt). */
    public TlsPolicy fallbackPolicy() {
        return new TlsPolicy(fallback, false, Optional.empty(), TlsPolicy.defaultMinProtocol(fallback));
    }

    /** TLS required, authenticated by TLSA records only (the TLSA check replaces the PKIX one), at least TLSv1.2. */
    public static TlsPolicy authenticatedPolicy() {
        return new TlsPolicy(TlsMode.STARTTLS_REQUIRED, false, Optional.empty(), TlsProtocolVersion.TLS_V1_2);
    }

    /** Secure TLSA records, none usable: TLS required, no authentication (RFC 7672 2.2, Postfix encrypt). */
    public static TlsPolicy encryptedPolicy() {
        return new TlsPolicy(TlsMode.STARTTLS_REQUIRED, false, Optional.empty(), TlsProtocolVersion.TLS_V1_2);
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof DaneSettings) {
            DaneSettings that = (DaneSettings) o;
            return trustAnchors.equals(that.trustAnchors) && resolver.equals(that.resolver) && fallback == that.fallback;
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(trustAnchors, resolver, fallback);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("trustAnchors", trustAnchors).add("resolver", resolver.map(Object::toString).orElse("system"))
            .add("fallback", fallback.configValue()).toString();
    }
}
