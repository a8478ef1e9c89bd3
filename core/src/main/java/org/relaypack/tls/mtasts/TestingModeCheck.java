package org.relaypack.tls.mtasts;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import org.relaypack.tls.TlsPolicy;

/**
 * Under a {@code testing} policy the mail goes as without a policy (opportunistic TLS, no
 * verification); this says, after the session, what an {@code enforce} policy would have refused,
 * in RFC 8460's result types: {@code starttls-not-supported}, TLS below 1.2,
 * {@code validation-failure} (chain), {@code certificate-host-mismatch} (RFC 6125 DNS-ID with a
 * left-most wildcard, the common name only without any DNS name). Thread-safe.
 */
public final class TestingModeCheck {
    private final Map<Optional<TlsPolicy.TrustStore>, X509TrustManager> trustManagers = new ConcurrentHashMap<>();

    /** Empty when the session would have passed an enforced policy. */
    public Optional<String> problemOf(Optional<SSLSession> session, String mxHost, Optional<TlsPolicy.TrustStore> trustStore) {
        if (session.isEmpty()) {
            return Optional.of("starttls-not-supported: the session ran in plaintext");
        }
        String protocol = session.get().getProtocol();
        if (!protocol.equals("TLSv1.2") && !protocol.equals("TLSv1.3")) {
            return Optional.of("validation-failure: " + protocol + " is below TLSv1.2");
        }
        X509Certificate[] chain;
        try {
            Certificate[] certificates = session.get().getPeerCertificates();
            chain = new X509Certificate[certificates.length];
            for (int i = 0; i < certificates.length; i++) {
                chain[i] = (X509Certificate) certificates[i];
            }
        } catch (SSLPeerUnverifiedException | ClassCastException e) {
            return Optional.of("validation-failure: no server certificate (" + e.getMessage() + ")");
        }
        try {
            // "UNKNOWN" is the JDK's key exchange type of TLS 1.3; the chain is what counts here
            trustManager(trustStore).checkServerTrusted(chain, "UNKNOWN");
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            return Optional.of("validation-failure: " + e.getMessage());
        }
        String host = withoutTrailingDot(mxHost.toLowerCase(Locale.ROOT));
        List<String> names = names(chain[0]);
        if (names.stream().noneMatch(name -> matches(name, host))) {
            return Optional.of("certificate-host-mismatch: the certificate names " + names + ", not " + host);
        }
        return Optional.empty();
    }

    private X509TrustManager trustManager(Optional<TlsPolicy.TrustStore> trustStore) throws GeneralSecurityException, IOException {
        X509TrustManager existing = trustManagers.get(trustStore);
        if (existing != null) {
            return existing;
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trustStore.isPresent() ? trustStore.get().load() : (KeyStore) null);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager) {
                trustManagers.putIfAbsent(trustStore, (X509TrustManager) manager);
                return trustManagers.get(trustStore);
            }
        }
        throw new GeneralSecurityException("no X509TrustManager");
    }

    private static List<String> names(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> entry : alternatives) {
                    if (Integer.valueOf(2).equals(entry.get(0))) {
                        names.add(String.valueOf(entry.get(1)).toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return names;
        }
        if (names.isEmpty()) {
            try {
                for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                    if (rdn.getType().equalsIgnoreCase("CN")) {
                        names.add(String.valueOf(rdn.getValue()).toLowerCase(Locale.ROOT));
                    }
                }
            } catch (InvalidNameException e) {
                return names;
            }
        }
        return names;
    }

    private static boolean matches(String name, String host) {
        String pattern = withoutTrailingDot(name);
        if (pattern.startsWith("*.")) {
            int firstDot = host.indexOf('.');
            return firstDot > 0 && host.substring(firstDot).equals(pattern.substring(1));
        }
        return pattern.equals(host);
    }

    private static String withoutTrailingDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }
}
