package org.relaypack.delivery;

import java.util.Optional;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.relaypack.config.ConfigElement;
import org.relaypack.config.Secrets;
import org.relaypack.delivery.smtp.Credentials;
import org.relaypack.tls.TlsPolicy;

import com.google.common.collect.ImmutableSet;

/** The {@code <auth>} element of a {@code <nexthop>}: a user name and one password source, never sent without TLS. */
final class AuthElement {
    static final String AUTH = "auth";
    static final String USERNAME = "username";

    private final Secrets secrets;

    AuthElement(Secrets secrets) {
        this.secrets = secrets;
    }

    Optional<Credentials> parse(ConfigElement hop, TlsPolicy tls) throws ConfigurationException {
        Optional<ConfigElement> auth = hop.child(AUTH);
        if (auth.isEmpty()) {
            return Optional.empty();
        }
        ConfigElement element = auth.get().checkAllowed(
            ImmutableSet.<String>builder().add(USERNAME).addAll(Secrets.ATTRIBUTES).build(),
            ImmutableSet.of());
        String username = element.required(USERNAME);
        Secrets.Secret secret = secrets.read(element)
            .orElseThrow(() -> element.error("needs one of passwordFile, passwordEnv, password"));
        if (!tls.mode().requiresTls()) {
            throw hop.error("<auth> needs <tls mode=\"starttls-required\"> or <tls mode=\"implicit\">: "
                + "credentials are never sent without TLS (tls mode is " + tls.mode().configValue() + ")");
        }
        String password = secret.value();
        return Optional.of(new Credentials(username, () -> password, secret.source()));
    }
}
