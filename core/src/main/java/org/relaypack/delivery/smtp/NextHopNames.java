package org.relaypack.delivery.smtp;

import java.io.IOException;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;

/**
 * Postfix's {@code smtp_tls_secure_cert_match = nexthop, dot-nexthop}: the verified server
 * certificate must name the next-hop domain itself or a name under it. The DNS names of the
 * subjectAltName are read, the subject's CN only when there are none (RFC 6125 6.4.4); a wildcard
 * {@code *.example.com} names hosts under example.com.
 */
final class NextHopNames {
    private static final int DNS_NAME = 2;

    static void check(SSLSocket socket, String nextHop) throws IOException {
        Certificate[] chain = socket.getSession().getPeerCertificates();
        List<String> names = chain.length > 0 && chain[0] instanceof X509Certificate ? names((X509Certificate) chain[0]) : List.of();
        String domain = nextHop.toLowerCase(Locale.US);
        if (names.stream().noneMatch(name -> matches(name, domain))) {
            socket.close();
            throw new SSLPeerUnverifiedException("the certificate names " + names + ", neither the next hop " + domain
                + " nor a name under it");
        }
    }

    static boolean matches(String certificateName, String domain) {
        String name = certificateName.toLowerCase(Locale.US);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.startsWith("*.")) {
            String parent = name.substring(2);
            return parent.equals(domain) || parent.endsWith("." + domain);
        }
        return name.equals(domain) || name.endsWith("." + domain);
    }

    private static List<String> names(X509Certificate certificate) throws IOException {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                alternatives.stream()
                    .filter(entry -> entry.size() == 2 && Integer.valueOf(DNS_NAME).equals(entry.get(0)))
                    .forEach(entry -> names.add(String.valueOf(entry.get(1))));
            }
            if (names.isEmpty()) {
                for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                    if (rdn.getType().equalsIgnoreCase("CN")) {
                        names.add(String.valueOf(rdn.getValue()));
                    }
                }
            }
        } catch (CertificateParsingException | InvalidNameException e) {
            throw new SSLPeerUnverifiedException("unreadable certificate names: " + e.getMessage());
        }
        return names;
    }

    private NextHopNames() {
    }
}
