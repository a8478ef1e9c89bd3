package org.relaypack.delivery;

import java.io.File;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.UnrecoverableKeyException;
import java.util.Collections;
import java.util.Optional;
import java.util.stream.Collectors;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.relaypack.config.ConfigElement;
import org.relaypack.config.Secrets;
import org.relaypack.tls.CertificateMatch;
import org.relaypack.tls.TlsMode;
import org.relaypack.tls.TlsPolicy;
import org.relaypack.tls.TlsProtocolVersion;

import com.google.common.collect.ImmutableSet;

/** The {@code <tls>} element of a {@code <nexthop>} and its {@code <truststore>}. See docs/relaypack-xml.md. */
final class TlsElement {
    static final String TLS = "tls";
    static final String MODE = "mode";
    static final String VERIFY = "verify";
    static final String MIN_PROTOCOL = "minProtocol";
    static final String MATCH = "match";
    static final String TRUSTSTORE = "truststore";
    static final String TRUSTSTORE_PATH = "path";
    static final String TRUSTSTORE_TYPE = "type";
    static final ImmutableSet<TlsProtocolVersion> MIN_PROTOCOLS = ImmutableSet.of(TlsProtocolVersion.TLS_V1_2, TlsProtocolVersion.TLS_V1_3);
    static final ImmutableSet<TlsProtocolVersion> OPPORTUNISTIC_MIN_PROTOCOLS = ImmutableSet.of(TlsProtocolVersion.TLS_V1,
        TlsProtocolVersion.TLS_V1_1, TlsProtocolVersion.TLS_V1_2, TlsProtocolVersion.TLS_V1_3);
    static final ImmutableSet<String> TRUSTSTORE_TYPES = ImmutableSet.of("PKCS12", "JKS");
    static final String DEFAULT_TRUSTSTORE_TYPE = "PKCS12";

    private final Secrets secrets;

    TlsElement(Secrets secrets) {
        this.secrets = secrets;
    }

    /** The hop's TLS policy; without {@code <tls>}, opportunistic. */
    TlsPolicy parse(ConfigElement hop) throws ConfigurationException {
        Optional<ConfigElement> tls = hop.child(TLS);
        if (tls.isEmpty()) {
            return TlsPolicy.of(TlsMode.OPPORTUNISTIC);
        }
        ConfigElement element = tls.get().checkAllowed(ImmutableSet.<String>builder().add(MODE, VERIFY, MIN_PROTOCOL, MATCH)
            .addAll(MtaStsElement.ATTRIBUTES).build(), ImmutableSet.of(TRUSTSTORE, DaneConfigurationReader.DANE));
        String modeText = element.value(MODE).orElse(TlsMode.OPPORTUNISTIC.configValue());
        TlsMode mode = TlsMode.parse(modeText)
            .orElseThrow(() -> element.error(MODE, modeText, "is not one of " + TlsMode.configValues()));
        if (mode.usesMtaSts()) {
            return MtaStsElement.hopPolicy(element, mode, trustStore(element));
        }
        MtaStsElement.checkAbsent(element, mode);
        Optional<Boolean> verifyGiven = element.bool(VERIFY);
        if (mode == TlsMode.NONE && verifyGiven.orElse(false)) {
            throw element.error(VERIFY, "true", "needs TLS, and mode none never uses it: remove verify, or choose mode "
                + "starttls-required or implicit");
        }
        boolean verify = verifyGiven.orElse(mode.requiresTls());
        Optional<String> minProtocolText = element.value(MIN_PROTOCOL);
        TlsProtocolVersion minProtocol = TlsPolicy.defaultMinProtocol(mode);
        if (minProtocolText.isPresent()) {
            // opportunistic TLS may go as low as TLSv1 (better than plaintext); a required mode keeps its TLSv1.2 floor
            ImmutableSet<TlsProtocolVersion> allowed = mode.requiresTls() ? MIN_PROTOCOLS : OPPORTUNISTIC_MIN_PROTOCOLS;
            minProtocol = TlsProtocolVersion.fromJsseName(minProtocolText.get())
                .filter(allowed::contains)
                .orElseThrow(() -> element.error(MIN_PROTOCOL, minProtocolText.get(), "is not one of "
                    + allowed.stream().map(TlsProtocolVersion::jsseName).collect(Collectors.joining(", "))
                    + " (mode " + mode.configValue() + ")"));
        }
        if (mode == TlsMode.NONE && element.child(TRUSTSTORE).isPresent()) {
            throw element.error("mode none takes no <truststore>");
        }
        return new TlsPolicy(mode, verify, trustStore(element), minProtocol, certificateMatch(element, verify));
    }

    private static CertificateMatch certificateMatch(ConfigElement element, boolean verify) throws ConfigurationException {
        Optional<String> text = element.value(MATCH);
        if (text.isEmpty()) {
            return CertificateMatch.HOSTNAME;
        }
        CertificateMatch match = CertificateMatch.parse(text.get())
            .orElseThrow(() -> element.error(MATCH, text.get(), "is not one of hostname, nexthop"));
        if (!verify) {
            throw element.error(MATCH, text.get(), "needs verify=\"true\": without verification no name is checked");
        }
        return match;
    }

    private Optional<TlsPolicy.TrustStore> trustStore(ConfigElement tls) throws ConfigurationException {
        Optional<ConfigElement> truststore = tls.child(TRUSTSTORE);
        if (truststore.isEmpty()) {
            return Optional.empty();
        }
        ConfigElement element = truststore.get().checkAllowed(
            ImmutableSet.<String>builder().add(TRUSTSTORE_PATH, TRUSTSTORE_TYPE).addAll(Secrets.ATTRIBUTES).build(),
            ImmutableSet.of());
        String path = element.required(TRUSTSTORE_PATH);
        File file = secrets.readableFile(element, TRUSTSTORE_PATH, path);
        String type = element.value(TRUSTSTORE_TYPE).orElse(DEFAULT_TRUSTSTORE_TYPE);
        if (!TRUSTSTORE_TYPES.contains(type)) {
            throw element.error(TRUSTSTORE_TYPE, type, "is not one of PKCS12, JKS");
        }
        Optional<String> password = secrets.read(element).map(Secrets.Secret::value);
        TlsPolicy.TrustStore trustStore = new TlsPolicy.TrustStore(file.getAbsolutePath(), type, password);
        checkLoads(element, path, trustStore);
        return Optional.of(trustStore);
    }

    /** Loads the trust store now, so that a wrong password, type or file stops James at startup, not the first delivery. */
    private static void checkLoads(ConfigElement element, String path, TlsPolicy.TrustStore trustStore) throws ConfigurationException {
        KeyStore keyStore;
        try {
            keyStore = trustStore.load();
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            Throwable cause = e.getCause() instanceof UnrecoverableKeyException ? e.getCause() : e;
            throw element.error(TRUSTSTORE_PATH, path, "cannot be loaded as a " + trustStore.type() + " trust store"
                + (trustStore.password().isPresent() ? " with the password given" : " without a password") + ": " + cause.getMessage());
        }
        try {
            if (Collections.list(keyStore.aliases()).stream().noneMatch(alias -> isCertificate(keyStore, alias))) {
                throw element.error(TRUSTSTORE_PATH, path, "holds no certificate to trust");
            }
        } catch (KeyStoreException e) {
            throw element.error(TRUSTSTORE_PATH, path, "cannot be read: " + e.getMessage());
        }
    }

    private static boolean isCertificate(KeyStore keyStore, String alias) {
        try {
            return keyStore.getCertificate(alias) != null;
        } catch (KeyStoreException e) {
            return false;
        }
    }
}
