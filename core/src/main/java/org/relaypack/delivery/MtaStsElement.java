package org.relaypack.delivery;

import org.relaypack.config.ConfigElement;
import org.relaypack.config.DurationRange;

import java.time.Duration;
import java.util.Optional;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsPolicy;
import org.relaypack.tls.mtasts.MtaStsSettings;

import com.google.common.collect.ImmutableSet;

/**
 * The MTA-STS attributes of {@code <tls mode="mta-sts" policyPort="443" policyTimeout="30s">}
 * (docs/mta-sts.md). The mode decides TLS per recipient domain, so {@code verify} and
 * {@code minProtocol} are not taken: an enforced policy always verifies, over TLSv1.2 or newer.
 */
final class MtaStsElement {
    static final String POLICY_PORT = "policyPort";
    static final String POLICY_TIMEOUT = "policyTimeout";
    static final ImmutableSet<String> ATTRIBUTES = ImmutableSet.of(POLICY_PORT, POLICY_TIMEOUT);

    private MtaStsElement() {
    }

    /** Refuses the MTA-STS attributes on a {@code <tls>} of another mode. */
    static void checkAbsent(ConfigElement tls, TlsMode mode) throws ConfigurationException {
        for (String attribute : ATTRIBUTES) {
            if (tls.value(attribute).isPresent()) {
                throw tls.error(attribute, tls.value(attribute).get(), "is only for modes mta-sts and dane-or-mta-sts (mode is "
                    + mode.configValue() + ")");
            }
        }
    }

    /**
     * The hop's own TLS policy under mta-sts or dane-or-mta-sts: what applies to a domain without a
     * policy (opportunistic, no verification; under dane-or-mta-sts, what DANE decides).
     */
    static TlsPolicy hopPolicy(ConfigElement tls, TlsMode mode, Optional<TlsPolicy.TrustStore> trustStore) throws ConfigurationException {
        for (String attribute : ImmutableSet.of(TlsElement.VERIFY, TlsElement.MIN_PROTOCOL, TlsElement.MATCH)) {
            if (tls.value(attribute).isPresent()) {
                throw tls.error(attribute, tls.value(attribute).get(), "is not taken with mode " + mode.configValue() + ": an enforced "
                    + "policy always verifies over TLSv1.2 or newer, " + (mode.usesDane()
                    ? "TLSA records authenticate DANE hosts, a host with neither gets the <dane> fallback"
                    : "a domain without one gets opportunistic TLS"));
            }
        }
        return new TlsPolicy(mode, false, trustStore, TlsPolicy.OPPORTUNISTIC_MIN_PROTOCOL);
    }

    static MtaStsSettings settings(ConfigElement tls, TlsPolicy policy) throws ConfigurationException {
        int port = tls.integer(POLICY_PORT, 1, 65535).orElse(MtaStsSettings.DEFAULT_POLICY_PORT);
        Optional<Duration> timeout = tls.duration(POLICY_TIMEOUT, DurationRange.positiveUpTo(MtaStsSettings.MAX_POLICY_TIMEOUT));
        return new MtaStsSettings(port, timeout.orElse(MtaStsSettings.DEFAULT_POLICY_TIMEOUT), policy.trustStore());
    }
}
