package org.relaypack.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Objects;
import java.util.Optional;


import com.google.common.base.MoreObjects;

/**
 * The TLS rules of one next hop. Under a mode that requires TLS, certificate and host-name
 * verification default to on, and the protocol floor is TLSv1.2. Opportunistic TLS takes TLSv1
 * and newer by default (Postfix {@code may}: any encryption is better than none).
 */
public final class TlsPolicy {
    public static final TlsProtocolVersion DEFAULT_MIN_PROTOCOL = TlsProtocolVersion.DEFAULT_MINIMUM;
    /** The floor of opportunistic TLS unless configured. */
    public static final TlsProtocolVersion OPPORTUNISTIC_MIN_PROTOCOL = TlsProtocolVersion.TLS_V1;

    /** The protocol floor of a mode when the configuration names none. */
    public static TlsProtocolVersion defaultMinProtocol(TlsMode mode) {
        return mode.requiresTls() ? DEFAULT_MIN_PROTOCOL : OPPORTUNISTIC_MIN_PROTOCOL;
    }

    /** A trust store file (JKS or PKCS12) and its password; absent means the JVM's default trust. */
    public static final class TrustStore {
        private final String path;
        private final String type;
        private final Optional<String> password;

        public TrustStore(String path, String type, Optional<String> password) {
            this.path = Objects.requireNonNull(path);
            this.type = Objects.requireNonNull(type);
            this.password = Objects.requireNonNull(password);
        }

        public String path() {
            return path;
        }

        public String type() {
            return type;
        }

        public Optional<String> password() {
            return password;
        }

        /** Reads the file as a key store of its type, with its password. */
        public KeyStore load() throws IOException, GeneralSecurityException {
            KeyStore keyStore = KeyStore.getInstance(type);
            try (InputStream in = Files.newInputStream(Paths.get(path))) {
                keyStore.load(in, password.map(String::toCharArray).orElse(null));
            }
            return keyStore;
        }

        @Override
        public boolean equals(Object o) {
            if (o instanceof TrustStore) {
                TrustStore that = (TrustStore) o;
                return path.equals(that.path) && type.equals(that.type) && password.equals(that.password);
            }
            return false;
        }

        @Override
        public int hashCode() {
            return Objects.hash(path, type, password);
        }

        @Override
        public String toString() {
            return MoreObjects.toStringHelper(this).add("path", path).add("type", type).toString();
        }
    }

    public static TlsPolicy of(TlsMode mode) {
        return new TlsPolicy(mode, mode.requiresTls(), Optional.empty(), defaultMinProtocol(mode));
    }

    private final TlsMode mode;
    private final boolean verify;
    private final Optional<TrustStore> trustStore;
    private final TlsProtocolVersion minProtocol;
    private final CertificateMatch certificateMatch;

    public TlsPolicy(TlsMode mode, boolean verify, Optional<TrustStore> trustStore, TlsProtocolVersion minProtocol) {
        this(mode, verify, trustStore, minProtocol, CertificateMatch.HOSTNAME);
    }

    public TlsPolicy(TlsMode mode, boolean verify, Optional<TrustStore> trustStore, TlsProtocolVersion minProtocol,
                     CertificateMatch certificateMatch) {
        this.mode = Objects.requireNonNull(mode);
        this.verify = verify;
        this.trustStore = Objects.requireNonNull(trustStore);
        this.minProtocol = Objects.requireNonNull(minProtocol);
        this.certificateMatch = Objects.requireNonNull(certificateMatch);
    }

    public TlsMode mode() {
        return mode;
    }

    /** Verify the certificate chain and that the certificate names the host we connected to. */
    public boolean verify() {
        return verify;
    }

    public Optional<TrustStore> trustStore() {
        return trustStore;
    }

    /** Under {@link #verify()}: the name the certificate must carry. */
    public CertificateMatch certificateMatch() {
        return certificateMatch;
    }

    /** The lowest protocol accepted. */
    public TlsProtocolVersion minProtocol() {
        return minProtocol;
    }

    @Override
    public boolean equals(Object o) {
        if (o instanceof TlsPolicy) {
            TlsPolicy that = (TlsPolicy) o;
            return mode == that.mode && verify == that.verify && trustStore.equals(that.trustStore) && minProtocol == that.minProtocol
                && certificateMatch == that.certificateMatch;
        }
        return false;
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, verify, trustStore, minProtocol, certificateMatch);
    }

    @Override
    public String toString() {
        return MoreObjects.toStringHelper(this)
            .add("mode", mode.configValue())
            .add("verify", verify)
            .add("trustStore", trustStore)
            .add("minProtocol", minProtocol)
            .add("match", certificateMatch.configValue())
            .toString();
    }
}
