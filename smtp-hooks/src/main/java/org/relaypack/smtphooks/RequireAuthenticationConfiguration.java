package org.relaypack.smtphooks;

import java.net.InetAddress;
import java.util.Objects;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.relaypack.config.ConfigElement;

import com.google.common.base.MoreObjects;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;

/** The parameters of {@link RequireAuthentication}, parsed once. */
public final class RequireAuthenticationConfiguration {
    public static final String ALLOWED_NETWORKS = "allowedNetworks";

    public static RequireAuthenticationConfiguration from(Configuration configuration) throws ConfigurationException {
        ConfigElement parameters = ConfigElement.ofHandler(RequireAuthentication.NAME, configuration)
            .checkAllowed(ImmutableSet.of(ALLOWED_NETWORKS), ImmutableSet.of());
        ImmutableList.Builder<Network> parsed = ImmutableList.builder();
        for (String network : parameters.list(ALLOWED_NETWORKS)) {
            try {
                parsed.add(Network.parse(network));
            } catch (IllegalArgumentException e) {
                throw parameters.error(ALLOWED_NETWORKS, network, e.getMessage());
            }
        }
        return new RequireAuthenticationConfiguration(parsed.build());
    }

    private final ImmutableList<Network> allowedNetworks;

    public RequireAuthenticationConfiguration(ImmutableList<Network> allowedNetworks) {
        this.allowedNetworks = Objects.requireNonNull(allowedNetworks);
    }

    public ImmutableList<Network> allowedNetworks() {
        return allowedNetworks;
    }

    public boolean mayOmitAuth(InetAddress client) {
        return allowedNetworks.stream().anyMatch(network -> network.contains(client));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RequireAuthenticationConfiguration
            && allowedNetworks.equals(((RequireAuthenticationConfiguration) o).allowedNetworks);
    }

    @Override
    public int hashCode() {
        return Objects.hash(allowedNetworks);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this).add("allowedNetworks", allowedNetworks).toString();
    }
}
