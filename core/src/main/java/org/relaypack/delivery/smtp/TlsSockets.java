package org.relaypack.delivery.smtp;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

import org.relaypack.tls.CertificateMatch;
import org.relaypack.tls.TlsPolicy;
import org.relaypack.tls.TlsProtocolVersion;
import org.relaypack.tls.dane.TlsaCheck;

import com.google.common.collect.ImmutableList;
import com.google.common.net.InetAddresses;

/**
 * Builds client TLS sockets under a {@link TlsPolicy}: protocols at or above the policy's floor
 * only; with verification, the chain is checked against the trust store (default: the JVM's) and
 * the certificate must name the host we connected by (HTTPS endpoint identification, RFC 6125).
 * One SSLContext per policy, built on first use. Thread-safe.
 */
public final class TlsSockets {
    private final Map<TlsPolicy, SSLContext> contexts = new ConcurrentHashMap<>();

    /**
     * Layers TLS over a connected socket and completes the handshake: with TLSA records (DANE) they
     * alone authenticate the server, on a fresh context per handshake, so that no cached session skips
     * the check; otherwise the policy's checks, against {@code hostName}, or under
     * {@link CertificateMatch#NEXTHOP} against the next-hop domain or a name under it (Postfix
     * {@code secure} with {@code nexthop, dot-nexthop}).
     *
     * @param hostName the name we connected by (literal host or MX host name): SNI and identity check
     */
    public SSLSocket handshake(Socket plain, String hostName, int port, TlsPolicy policy, Optional<TlsaCheck> tlsa,
                               String nextHopName) throws IOException, GeneralSecurityException {
        String name = withoutTrailingDot(hostName);
        boolean matchNextHop = tlsa.isEmpty() && policy.verify() && policy.certificateMatch() == CertificateMatch.NEXTHOP;
        SSLContext context = tlsa.isPresent() ? daneContext(tlsa.get()) : context(policy);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, name, port, true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setProtocols(enabledProtocols(socket.getSupportedProtocols(), policy.minProtocol()));
        if (!InetAddresses.isInetAddress(name)) {
            parameters.setServerNames(ImmutableList.of(new SNIHostName(name)));
        }
        if (policy.verify() && tlsa.isEmpty() && !matchNextHop) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        if (matchNextHop) {
            NextHopNames.check(socket, withoutTrailingDot(nextHopName));
        }
        return socket;
    }

    /**
     * DNS gives absolute names ("mx1.example.net."); SNI (RFC 6066 3) and the certificate identity
     * check (RFC 6125) use the name without the root's dot.
     */
    static String withoutTrailingDot(String hostName) {
        String name = hostName;
        while (name.endsWith(".") && name.length() > 1) {
            name = name.substring(0, name.length() - 1);
        }
        return name;
    }

    static String[] enabledProtocols(String[] supported, TlsProtocolVersion minProtocol) {
        String[] enabled = Arrays.stream(supported)
            .filter(protocol -> TlsProtocolVersion.fromJsseName(protocol).map(version -> version.isAtLeast(minProtocol)).orElse(false))
            .toArray(String[]::new);
        if (enabled.length == 0) {
            throw new IllegalArgumentException("this JVM supports no TLS protocol at or above " + minProtocol);
        }
        return enabled;
    }

    private static SSLContext daneContext(TlsaCheck tlsa) throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {tlsa.trustManager()}, null);
        return context;
    }

    private SSLContext context(TlsPolicy policy) throws GeneralSecurityException, IOException {
        SSLContext existing = contexts.get(policy);
        if (existing != null) {
            return existing;
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers(policy), null);
        contexts.putIfAbsent(policy, context);
        return contexts.get(policy);
    }

    private static TrustManager[] trustManagers(TlsPolicy policy) throws GeneralSecurityException, IOException {
        if (!policy.verify()) {
            return new TrustManager[] {new AcceptAnyCertificate()};
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (policy.trustStore().isPresent()) {
            factory.init(policy.trustStore().get().load());
        } else {
            factory.init((KeyStore) null);
        }
        return factory.getTrustManagers();
    }

    /** verify=false: encryption without authentication, as Postfix's "may" and "encrypt" levels. */
    private static final class AcceptAnyCertificate extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            // encryption without authentication, by configuration
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            // encryption without authentication, by configuration
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // encryption without authentication, by configuration
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
