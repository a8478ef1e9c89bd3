package org.relaypack.smtphooks;

import java.util.Objects;
import java.util.Optional;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.relaypack.config.ConfigElement;
import org.relaypack.tls.TlsProtocolVersion;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableSet;

/** The parameters of {@link RequireTls}, parsed once. */
public final class RequireTlsConfiguration {
    public static final String MINIMUM_PROTOCOL = "minimumProtocol";
    public static final TlsProtocolVersion DEFAULT_MINIMUM_PROTOCOL = TlsProtocolVersion.DEFAULT_MINIMUM;

    public static RequireTlsConfiguration from(Configuration configuration) throws ConfigurationException {
        ConfigElement parameters = ConfigElement.ofHandler(RequireTls.NAME, configuration)
            .checkAllowed(ImmutableSet.of(MINIMUM_PROTOCOL), ImmutableSet.of());
        Optional<String> configured = parameters.value(MINIMUM_PROTOCOL);
        if (configured.isEmpty()) {
            return new RequireTlsConfiguration(DEFAULT_MINIMUM_PROTOCOL);
        }
        return new RequireTlsConfiguration(TlsProtocolVersion.fromJsseName(configured.get())
            .orElseThrow(() -> parameters.error(MINIMUM_PROTOCOL, configured.get(), "is not one of TLSv1, TLSv1.1, TLSv1.2, TLSv1.3")));
    }

    private final TlsProtocolVersion minimumProtocol;

    public RequireTlsConfiguration(TlsProtocolVersion minimumProtocol) {
        this.minimumProtocol = Objects.requireNonNull(minimumProtocol);
    }

    public TlsProtocolVersion minimumProtocol() {
        return minimumProtocol;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RequireTlsConfiguration && minimumProtocol == ((RequireTlsConfiguration) o).minimumProtocol;
    }

    @Override
    public int hashCode() {
        return Objects.hash(minimumProtocol);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("minimumProtocol", minimumProtocol).toString();
    }
}
