package org.relaypack.tls.mtasts;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.relaypack.tls.TlsPolicy;

import com.google.common.base.MoreObjects;

/**
 * How the policy of a recipient domain is fetched for a next hop with {@code <tls mode="mta-sts">}:
 * the HTTPS port (443 but in tests), the deadline of the whole fetch, and the trust store of the
 * Web PKI check (absent: the JVM's). The same trust store checks the MX hosts' certificates.
 */
public final class MtaStsSettings {
    public static final int DEFAULT_POLICY_PORT = 443;
    public static final Duration DEFAULT_POLICY_TIMEOUT = Duration.ofSeconds(30);
    /** RFC 8461 3.3: senders should not wait for a policy longer than a minute. */
    public static final Duration MAX_POLICY_TIMEOUT = Duration.ofMinutes(1);

    public static MtaStsSettings defaults() {
        return new MtaStsSettings(DEFAULT_POLICY_PORT, DEFAULT_POLICY_TIMEOUT, Optional.empty());
    }

    private final int policyPort;
    private final Duration policyTimeout;
    private final Optional<TlsPolicy.TrustStore> trustStore;

    public MtaStsSettings(int policyPort, Duration policyTimeout, Optional<TlsPolicy.TrustStore> trustStore) {
        if (policyPort < 1 || policyPort > 65535) {
            throw new IllegalArgumentException("policyPort out of range: " + policyPort);
        }
        if (policyTimeout.isNegative() || policyTimeout.isZero() || policyTimeout.compareTo(MAX_POLICY_TIMEOUT) > 0) {
            throw new IllegalArgumentException("policyTimeout must be more than zero and at most 1m: " + policyTimeout);
        }
        this.policyPort = policyPort;
        this.policyTimeout = policyTimeout;
        this.trustStore = Objects.requireNonNull(trustStore);
    }

    public int policyPort() {
        return policyPort;
    }

    public Duration policyTimeout() {
        return policyTimeout;
    }

    public Optional<TlsPolicy.TrustStore> trustStore() {
        return trustStore;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof MtaStsSettings) {
            MtaStsSettings that = (MtaStsSettings) o;
            return policyPort == that.policyPort && policyTimeout.equals(that.policyTimeout) && trustStore.equals(that.trustStore);
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(policyPort, policyTimeout, trustStore);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("policyPort", policyPort)
            .add("policyTimeout", policyTimeout)
            .add("trustStore", trustStore)
            .toString();
    }
}
