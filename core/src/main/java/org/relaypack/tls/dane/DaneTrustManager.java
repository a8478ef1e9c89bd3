package org.relaypack.tls.dane;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Set;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Authenticates an SMTP server by its TLSA records (RFC 7672 3.1, RFC 7671): a DANE-EE(3) record
 * must match the leaf certificate, with no name nor expiry check; a DANE-TA(2) record must match a
 * certificate of the chain the server sent, the chain below it must verify up to it (signatures,
 * validity), and the leaf must name the MX host. Anything else fails the handshake, so that not a
 * byte of mail is sent to an unauthenticated server.
 */
final class DaneTrustManager extends X509ExtendedTrustManager {
    private final TlsaCheck check;

    DaneTrustManager(TlsaCheck check) {
        this.check = check;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("DANE: " + check.hostName() + " sent no certificate");
        }
        for (TlsaAssociation record : check.records()) {
            if (record.usage() == TlsaAssociation.USAGE_DANE_EE && record.matches(chain[0])) {
                return;
            }
        }
        StringBuilder problems = new StringBuilder();
        for (TlsaAssociation record : check.records()) {
            if (record.usage() != TlsaAssociation.USAGE_DANE_TA) {
                continue;
            }
            for (int anchor = 1; anchor < chain.length; anchor++) {
                if (!record.matches(chain[anchor])) {
                    continue;
                }
                try {
                    verifyPath(Arrays.copyOfRange(chain, 0, anchor), chain[anchor]);
                } catch (GeneralSecurityException e) {
                    problems.append("; the chain to the DANE-TA certificate does not verify: ").append(e.getMessage());
                    continue;
                }
                if (HostNameMatch.matches(chain[0], check.hostName())) {
                    return;
                }
                problems.append("; the certificate does not name ").append(check.hostName());
            }
        }
        throw new CertificateException("DANE: no TLSA record of " + check.hostName() + " (" + check.records()
            + ") authenticates the certificate of subject " + chain[0].getSubjectX500Principal().getName() + problems);
    }

    private static void verifyPath(X509Certificate[] below, X509Certificate anchor) throws GeneralSecurityException {
        CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(Arrays.asList(below));
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
        parameters.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(path, parameters);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
        throw new UnsupportedOperationException("client side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        throw new UnsupportedOperationException("client side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        throw new UnsupportedOperationException("client side only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
